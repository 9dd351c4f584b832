# Warnings for our own targets, and bit-exact float maths everywhere: no contraction (FMA) and
# no fast-math, so CPU and CUDA kernels give identical results.
add_library(ckpt_flags INTERFACE)
target_compile_options(ckpt_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -ffp-contract=off>
  $<$<COMPILE_LANGUAGE:CUDA>:--fmad=false -Xcompiler=-ffp-contract=off>)
# GCC 12 reports -Wrestrict false positives inside std::string at -O3 (GCC bug 105329).
target_compile_options(ckpt_flags INTERFACE $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict>)
# Through a precompiled header GCC 12 no longer treats libstdc++ code inlined into our TUs as a
# system header, so its -O3 middle-end false positives inside std::string (GCC bugs 105651,
# 105329; `"[" + std::to_string(n)` gives -Wstringop-overflow and -Warray-bounds on memcpy) surface:
# the same TU compiles clean without the PCH. Real out-of-bounds accesses are caught at run time
# by the sanitize preset (ASan + UBSan).
if(CKPT_PCH)
  target_compile_options(ckpt_flags INTERFACE
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-stringop-overflow -Wno-stringop-overread -Wno-array-bounds>)
endif()
if(CKPT_WERROR)
  target_compile_options(ckpt_flags INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Werror>
    $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings>)
endif()
if(CKPT_SANITIZE)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-omit-frame-pointer>
                      $<$<COMPILE_LANGUAGE:CXX>:-fno-sanitize-recover=undefined>)
  add_link_options(-fsanitize=address,undefined)
endif()
