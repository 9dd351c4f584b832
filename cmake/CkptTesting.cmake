# ckpt_add_test(<name> SOURCES <files...> LIBS <targets...> LABELS <labels...>)
# One Qt Test class per module; each is an executable registered with CTest. Tests run with the
# offscreen Qt platform and know where the shared test data and the Python interpreter are.
#
# Precompiled headers (CKPT_PCH): a test TU spends most of its time parsing QtTest, QtCore and
# nlohmann/json, so the first test of a directory builds one PCH of them and the others reuse it
# (REUSE_FROM). Reuse needs the same compile definitions, and Qt6::Test defines
# QT_TESTCASE_SOURCEDIR per source directory (hence one PCH per directory) and
# QT_TESTCASE_BUILDDIR per binary directory (the same there). Tests linking ckpt_ui get a second
# PCH with QtWidgets and QCustomPlot, since their definitions differ (QT_WIDGETS_LIB, ...).
# -Winvalid-pch (added by CMake) + -Werror turns a rejected PCH into a build error.
set(CKPT_TEST_PCH <QtTest> <QtCore> <QSignalSpy> <QTemporaryDir> <QJsonArray> <QJsonDocument>
                  <QJsonObject> <QProcess> <nlohmann/json.hpp>
                  <algorithm> <cmath> <cstdint> <cstring> <filesystem> <fstream> <functional>
                  <map> <memory> <optional> <set> <string> <string_view> <vector>)
set(CKPT_TEST_PCH_UI <QtWidgets> <QAbstractItemModelTester> <qcustomplot.h>)

function(ckpt_test_use_pch name libs)
  if(NOT CKPT_PCH)
    return()
  endif()
  set(kind core)
  set(headers ${CKPT_TEST_PCH})
  if("ckpt_ui" IN_LIST libs)
    set(kind ui)
    list(APPEND headers ${CKPT_TEST_PCH_UI})
  endif()
  get_directory_property(owner CKPT_TEST_PCH_OWNER_${kind})
  if(owner)
    target_precompile_headers(${name} REUSE_FROM ${owner})
  else()
    target_precompile_headers(${name} PRIVATE ${headers})
    set_directory_properties(PROPERTIES CKPT_TEST_PCH_OWNER_${kind} ${name})
  endif()
endfunction()

function(ckpt_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  target_link_libraries(${name} PRIVATE ckpt_flags Qt6::Test ${ARG_LIBS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    CKPT_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CKPT_SHARED_DIR="${CKPT_SHARED_DIR}"
    CKPT_PYTHON="${CKPT_PYTHON}"
    CKPT_CLI_PATH="$<TARGET_FILE:ckptscope-cli>")
  ckpt_test_use_pch(${name} "${ARG_LIBS}")
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;PYTHONDONTWRITEBYTECODE=1")
endfunction()
