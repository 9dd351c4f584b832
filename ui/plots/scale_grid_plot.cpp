#include "ui/plots/scale_grid_plot.h"

#include <QLabel>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <cmath>

namespace ckpt::ui {

ScaleGridPlot::ScaleGridPlot(QWidget* parent)
    : QWidget(parent), m_plot(new QCustomPlot(this)), m_title(new QLabel(this)),
      m_hover(new QLabel(this))
{
    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_colorScale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_colorScale);
    m_colorScale->setType(QCPAxis::atRight);
    m_colorScale->axis()->setLabel(tr("log2(scale)"));
    m_map->setColorScale(m_colorScale);
    QCPColorGradient gradient(QCPColorGradient::gpSpectrum);
    gradient.setNanHandling(QCPColorGradient::nhNanColor);  // zero / NaN scales stand out grey
    gradient.setNanColor(QColor(160, 160, 160));
    m_map->setGradient(gradient);
    m_map->setInterpolate(false);
    // Matrix orientation: row 0 at the top.
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->setLabel(tr("column"));
    m_plot->yAxis->setLabel(tr("row"));
    // Block boundaries are the axis grid lines; drawn above the map, not under it.
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->grid()->setLayer(QStringLiteral("axes"));
        axis->grid()->setPen(QPen(QColor(0, 0, 0, 90), 0));
        axis->grid()->setZeroLinePen(Qt::NoPen);
    }
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ScaleGridPlot::UI_onMouseMove);

    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hover->setMinimumHeight(m_hover->fontMetrics().height());
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_hover);
    m_plot->setMinimumHeight(160);
    UI_clear(tr("Select a quantized weight to see its scale grid"));
}

void ScaleGridPlot::UI_setBlockTicks(std::uint32_t blockRows, std::uint32_t blockCols)
{
    // Multiples of the block size keep every tick on a block boundary when zoomed out.
    const auto ticker = [](double step) {
        auto t = QSharedPointer<QCPAxisTickerFixed>::create();
        t->setTickStep(step);
        t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        return t;
    };
    m_plot->xAxis->setTicker(ticker(blockCols));
    m_plot->yAxis->setTicker(ticker(blockRows));
}

void ScaleGridPlot::UI_setGrid(const ScaleGrid& grid, const QString& title)
{
    m_grid = grid;
    m_hasData = !grid.log2Values.empty();
    if (!m_hasData) {
        UI_clear(tr("%1: the scale grid is too large to draw").arg(title));
        return;
    }
    const int cols = static_cast<int>(grid.cols), rows = static_cast<int>(grid.rows);
    const double bc = grid.blockCols, br = grid.blockRows;
    QCPColorMapData* cells = m_map->data();
    cells->setSize(cols, rows);
    cells->setRange(QCPRange(bc / 2, (cols - 0.5) * bc), QCPRange(br / 2, (rows - 0.5) * br));
    const float* cell = grid.log2Values.data();
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c)
            cells->setCell(c, r, *cell++);
    }
    m_map->rescaleDataRange(true);
    UI_setBlockTicks(grid.blockRows, grid.blockCols);
    // The axes end at the weight's edge, so a partial last block is drawn partial.
    m_plot->xAxis->setRange(0, static_cast<double>(grid.weightCols ? grid.weightCols : cols * bc));
    m_plot->yAxis->setRange(0, static_cast<double>(grid.weightRows ? grid.weightRows : rows * br));
    m_map->setVisible(true);
    m_colorScale->setVisible(true);
    m_title->setText(tr("%1 — %2 × %3 blocks of %4 × %5")
                         .arg(title).arg(rows).arg(cols).arg(grid.blockRows).arg(grid.blockCols));
    m_hover->setText(tr("Hover a block to see its scale"));
    m_plot->replot();
}

void ScaleGridPlot::UI_clear(const QString& message)
{
    m_hasData = false;
    m_map->data()->clear();
    m_map->setVisible(false);
    m_colorScale->setVisible(false);
    m_title->setText(message);
    m_hover->clear();
    m_plot->replot();
}

QString ScaleGridPlot::blockDescription(double row, double col) const
{
    if (!m_hasData || row < 0 || col < 0)
        return {};
    const auto r = static_cast<std::uint64_t>(row) / m_grid.blockRows;
    const auto c = static_cast<std::uint64_t>(col) / m_grid.blockCols;
    if (r >= m_grid.rows || c >= m_grid.cols || row >= double(m_grid.weightRows)
        || col >= double(m_grid.weightCols))
        return {};
    const float l2 = m_grid.log2Values[r * m_grid.cols + c];
    const std::uint64_t r0 = r * m_grid.blockRows, c0 = c * m_grid.blockCols;
    const std::uint64_t r1 = std::min<std::uint64_t>(r0 + m_grid.blockRows, m_grid.weightRows);
    const std::uint64_t c1 = std::min<std::uint64_t>(c0 + m_grid.blockCols, m_grid.weightCols);
    const QString value = std::isnan(l2)
        ? tr("not positive / NaN")
        : tr("%1 (2^%2)").arg(std::exp2(double(l2)), 0, 'g', 7).arg(double(l2), 0, 'g', 6);
    return tr("block [%1, %2] · rows %3–%4 · cols %5–%6 · scale %7")
        .arg(r).arg(c).arg(r0).arg(r1 - 1).arg(c0).arg(c1 - 1).arg(value);
}

QString ScaleGridPlot::hoverText() const { return m_hover->text(); }

void ScaleGridPlot::UI_onMouseMove(QMouseEvent* event)
{
    if (!m_hasData)
        return;
    const QPointF p = event->position();
    const double col = m_plot->xAxis->pixelToCoord(p.x());
    const double row = m_plot->yAxis->pixelToCoord(p.y());
    const QString text = blockDescription(row, col);
    if (!text.isEmpty()) {
        m_hover->setText(text);
        m_plot->setToolTip(text);
    }
}

bool ScaleGridPlot::UI_saveTo(const QString& path)
{
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive))
        return m_plot->savePdf(path);
    return m_plot->savePng(path);
}

} // namespace ckpt::ui
