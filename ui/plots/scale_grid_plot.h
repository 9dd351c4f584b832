#pragma once
// The scale grid of a quantized weight as a colour map in the weight's own coordinates: one
// cell per block, coloured by log2(scale), axis grid lines on block boundaries, the axes clipped
// to the weight's shape so partial edge blocks look partial. Hovering names the block, its rows
// and columns and its scale. Draws the grid the worker decoded; never reads the tensor.

#include "ui/workers/tensor_stats_result.h"

#include <QWidget>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QLabel;
class QMouseEvent;

namespace ckpt::ui {

class ScaleGridPlot : public QWidget {
    Q_OBJECT
public:
    explicit ScaleGridPlot(QWidget* parent = nullptr);

    void UI_setGrid(const ScaleGrid& grid, const QString& title);
    void UI_clear(const QString& message);
    bool UI_saveTo(const QString& path);
    bool hasData() const { return m_hasData; }
    // Text shown for the block under weight coordinates (row, col); empty outside the grid.
    QString blockDescription(double row, double col) const;
    QString hoverText() const;
    QCustomPlot* plot() const { return m_plot; }

private:
    void UI_onMouseMove(QMouseEvent* event);
    void UI_setBlockTicks(std::uint32_t blockRows, std::uint32_t blockCols);

    QCustomPlot* m_plot;
    QCPColorMap* m_map;
    QCPColorScale* m_colorScale;
    QLabel* m_title;
    QLabel* m_hover;
    ScaleGrid m_grid;
    bool m_hasData = false;
};

} // namespace ckpt::ui
