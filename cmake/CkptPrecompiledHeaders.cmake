# Precompiled headers for the library targets (CKPT_PCH). Most of a translation unit's compile
# time here is parsing nlohmann/json, the standard library and, in ui/, QtWidgets and QCustomPlot
# (qcustomplot.h alone is ~40 s per TU on a loaded 2-core CI machine); a PCH parses them once per
# target. Only third-party and standard headers go in, so a TU that forgets an include of ours
# still fails to compile. The tests' PCH is in CkptTesting.cmake.
if(NOT CKPT_PCH)
  return()
endif()

set(CKPT_PCH_STD <algorithm> <array> <cstdint> <cstring> <filesystem> <functional> <map>
                 <memory> <optional> <set> <span> <string> <string_view> <vector>)
target_precompile_headers(ckpt_core PRIVATE ${CKPT_PCH_STD} <nlohmann/json.hpp>)
target_precompile_headers(ckpt_cli PRIVATE ${CKPT_PCH_STD} <nlohmann/json.hpp>)
if(TARGET ckpt_ui)
  target_precompile_headers(ckpt_ui PRIVATE ${CKPT_PCH_STD} <nlohmann/json.hpp>
                            <QtWidgets> <QtConcurrent> <qcustomplot.h>)
endif()
