# ckpt_add_test(<name> SOURCES <files...> LIBS <targets...> LABELS <labels...>)
# One Qt Test class per module; each is an executable registered with CTest. Tests run with the
# offscreen Qt platform and know where the shared test data and the Python interpreter are.
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
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;PYTHONDONTWRITEBYTECODE=1")
endfunction()
