# Windows (NSIS) and macOS (DragNDrop) packaging: CPack settings and install-time deploy steps.
# Included by packaging/Packaging.cmake after every target exists and before include(CPack).
#
# RECIPE, NOT VERIFIED: this file has only been parsed and its Linux no-op checked (the Linux
# configure does not enter either branch). It has never run on Windows or macOS; see
# .github/workflows/windows.yml and macos.yml for the builds that would exercise it.
#
# Layout of an install on both systems (from the existing install rules in app/ and resources/):
#   bin/lepton(.exe)              command line
#   bin/lepton-workbench(.exe)    GUI; on macOS bin/lepton-workbench.app (MACOSX_BUNDLE, set below)
#   share/lepton-workbench/templates/*.json
# Everything the binaries load (Qt, LibTorch, OpenCV, QCustomPlot, the compiler runtime) is copied
# into the install tree at install time, so `cmake --install` and `cpack` give a self-contained tree.

if(WIN32)
  # ---------------------------------------------------------------------------------------------
  # Windows
  # ---------------------------------------------------------------------------------------------
  option(LEPTON_CUDA_PACKAGE
    "Windows: bundle the CUDA LibTorch DLLs (torch_cuda, cuDNN, cuBLAS, ...); needs a CUDA LibTorch"
    OFF)

  if(TARGET lepton-workbench)
    # A GUI subsystem executable: no console window. Qt 6 links its WinMain shim (EntryPoint)
    # into WIN32_EXECUTABLE targets, so workbench/main.cpp keeps its main().
    set_target_properties(lepton-workbench PROPERTIES WIN32_EXECUTABLE ON)
  endif()

  set(_lepton_bindir "${CMAKE_INSTALL_BINDIR}")

  # --- LibTorch: every DLL of ${TORCH_INSTALL_PREFIX}/lib (torch_cpu, c10, fbgemm, asmjit,
  # libiomp5md, uv, ...). Some are loaded at run time rather than linked, so copy the folder's DLLs
  # rather than only what the linker saw.
  file(GLOB _lepton_torch_dlls "${TORCH_INSTALL_PREFIX}/lib/*.dll")
  set(_lepton_torch_is_cuda OFF)
  foreach(_dll IN LISTS _lepton_torch_dlls)
    get_filename_component(_name "${_dll}" NAME)
    if(_name MATCHES "^(torch_cuda|c10_cuda)")
      set(_lepton_torch_is_cuda ON)
    endif()
  endforeach()
  if(LEPTON_CUDA_PACKAGE AND NOT _lepton_torch_is_cuda)
    message(FATAL_ERROR "LEPTON_CUDA_PACKAGE=ON but ${TORCH_INSTALL_PREFIX}/lib has no torch_cuda.dll: "
                        "point CMAKE_PREFIX_PATH at a CUDA LibTorch (libtorch-win-shared-with-deps-*+cu*.zip)")
  endif()
  if(_lepton_torch_is_cuda AND NOT LEPTON_CUDA_PACKAGE)
    # The binaries link torch_cuda.dll, so its DLLs must ship anyway; say so rather than make a
    # "CPU" package that is several GB.
    message(WARNING "The LibTorch at ${TORCH_INSTALL_PREFIX} is a CUDA build: its CUDA DLLs will be "
                    "bundled. Use the CPU LibTorch for the default package, or set LEPTON_CUDA_PACKAGE=ON.")
  endif()
  if(_lepton_torch_dlls)
    install(FILES ${_lepton_torch_dlls} DESTINATION ${_lepton_bindir})
  else()
    message(WARNING "No DLLs found in ${TORCH_INSTALL_PREFIX}/lib: the package will not run")
  endif()

  # --- OpenCV, QCustomPlot (and LibTorch/Qt again): the DLLs of every imported shared library the
  # two executables link, known to CMake as TARGET_RUNTIME_DLLS (CMake 3.21).
  set(_lepton_exes lepton)
  if(TARGET lepton-workbench)
    list(APPEND _lepton_exes lepton-workbench)
  endif()
  set(_lepton_runtime_dlls "")
  foreach(_exe IN LISTS _lepton_exes)
    string(APPEND _lepton_runtime_dlls "$<TARGET_RUNTIME_DLLS:${_exe}>;")
  endforeach()

  # Folders in which to look for DLLs those DLLs load in turn (OpenCV's codecs from vcpkg, ...).
  set(_lepton_dll_dirs "${TORCH_INSTALL_PREFIX}/lib")
  foreach(_t IN ITEMS opencv_core opencv_imgproc opencv_imgcodecs QCustomPlotQt6::QCustomPlotQt6 Qt6::Core)
    if(TARGET ${_t})
      foreach(_prop IN ITEMS IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION_RELWITHDEBINFO IMPORTED_LOCATION)
        get_target_property(_loc ${_t} ${_prop})
        if(_loc)
          get_filename_component(_dir "${_loc}" DIRECTORY)
          list(APPEND _lepton_dll_dirs "${_dir}")
          break()
        endif()
      endforeach()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _lepton_dll_dirs)

  # --- windeployqt: Qt's own tool, found beside Qt6's qmake. It copies the Qt DLLs, the platform
  # plugin (qwindows), styles, image formats, the SQLite driver (qsqlite) and print support.
  set(_lepton_windeployqt "")
  if(TARGET Qt6::qmake)
    get_target_property(_qmake Qt6::qmake IMPORTED_LOCATION)
    get_filename_component(_qt_bin "${_qmake}" DIRECTORY)
    find_program(_lepton_windeployqt_exe windeployqt HINTS "${_qt_bin}" NO_DEFAULT_PATH)
  endif()
  if(NOT _lepton_windeployqt_exe AND Qt6_DIR)
    find_program(_lepton_windeployqt_exe windeployqt HINTS "${Qt6_DIR}/../../../bin" NO_DEFAULT_PATH)
  endif()
  if(_lepton_windeployqt_exe)
    set(_lepton_windeployqt "${_lepton_windeployqt_exe}")
  else()
    message(WARNING "windeployqt not found beside Qt6's qmake: the installed tree will lack Qt")
  endif()

  # dumpbin (MSVC) reads the DLL imports for file(GET_RUNTIME_DEPENDENCIES) at install time.
  get_filename_component(_cxx_dir "${CMAKE_CXX_COMPILER}" DIRECTORY)
  find_program(_lepton_dumpbin_exe dumpbin HINTS "${_cxx_dir}")
  set(_lepton_dumpbin "")
  if(_lepton_dumpbin_exe)
    set(_lepton_dumpbin "${_lepton_dumpbin_exe}")
  else()
    message(WARNING "dumpbin not found: DLLs that OpenCV/QCustomPlot load in turn will not be collected")
  endif()

  install(CODE "
    set(_bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${_lepton_bindir}\")
    cmake_policy(PUSH)
    cmake_policy(SET CMP0007 NEW)
    set(_dlls \"${_lepton_runtime_dlls}\")
    list(REMOVE_ITEM _dlls \"\")
    list(REMOVE_DUPLICATES _dlls)
    cmake_policy(POP)
    if(_dlls)
      file(INSTALL DESTINATION \"\${_bin}\" TYPE SHARED_LIBRARY FILES \${_dlls})
    endif()

    # DLLs of DLLs (for example the image codecs a vcpkg OpenCV links), searched in the folders
    # the libraries came from; Windows' own DLLs stay out.
    set(_exes \"\")
    foreach(_e IN ITEMS ${_lepton_exes})
      list(APPEND _exes \"\${_bin}/\${_e}.exe\")
    endforeach()
    set(CMAKE_GET_RUNTIME_DEPENDENCIES_PLATFORM windows+pe)
    set(CMAKE_GET_RUNTIME_DEPENDENCIES_TOOL dumpbin)
    set(CMAKE_GET_RUNTIME_DEPENDENCIES_COMMAND \"${_lepton_dumpbin}\")
    if(NOT \"${_lepton_dumpbin}\" STREQUAL \"\")
    file(GET_RUNTIME_DEPENDENCIES
      EXECUTABLES \${_exes}
      DIRECTORIES ${_lepton_dll_dirs}
      RESOLVED_DEPENDENCIES_VAR _resolved
      UNRESOLVED_DEPENDENCIES_VAR _unresolved
      PRE_EXCLUDE_REGEXES \"^api-ms-\" \"^ext-ms-\"
      POST_EXCLUDE_REGEXES \"[Ss]ystem32\" \"[Ww]in[Ss]x[Ss]\")
    foreach(_dep IN LISTS _resolved)
      get_filename_component(_name \"\${_dep}\" NAME)
      if(NOT EXISTS \"\${_bin}/\${_name}\")
        file(INSTALL DESTINATION \"\${_bin}\" TYPE SHARED_LIBRARY FILES \"\${_dep}\")
      endif()
    endforeach()
    foreach(_dep IN LISTS _unresolved)
      message(STATUS \"lepton deploy: not found (system DLL or loaded later?): \${_dep}\")
    endforeach()
    endif()

    if(NOT \"${_lepton_windeployqt}\" STREQUAL \"\")
      foreach(_exe IN LISTS _exes)
        execute_process(
          COMMAND \"${_lepton_windeployqt}\" $<IF:$<CONFIG:Debug>,--debug,--release> --no-translations --no-system-d3d-compiler
                  --no-opengl-sw --no-compiler-runtime --dir \"\${_bin}\" \"\${_exe}\"
          RESULT_VARIABLE _rc)
        if(NOT _rc EQUAL 0)
          message(FATAL_ERROR \"windeployqt failed (\${_rc}) on \${_exe}\")
        endif()
      endforeach()
    endif()
  ")

  # --- MSVC runtime (vcruntime140, msvcp140, ...) and the Universal CRT, next to the binaries.
  set(CMAKE_INSTALL_SYSTEM_RUNTIME_DESTINATION ${_lepton_bindir})
  set(CMAKE_INSTALL_UCRT_LIBRARIES TRUE)
  include(InstallRequiredSystemLibraries)

  # --- CPack NSIS
  set(CPACK_GENERATOR "NSIS;ZIP")
  if(LEPTON_CUDA_PACKAGE)
    set(_lepton_flavour "cuda")
  else()
    set(_lepton_flavour "cpu")
  endif()
  set(CPACK_PACKAGE_FILE_NAME "lepton-workbench-${PROJECT_VERSION}-win64-${_lepton_flavour}")
  set(CPACK_PACKAGE_INSTALL_DIRECTORY "Lepton Workbench")
  set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "Lepton Workbench")
  set(CPACK_NSIS_PACKAGE_NAME "Lepton Workbench")
  set(CPACK_NSIS_DISPLAY_NAME "Lepton Workbench ${PROJECT_VERSION}")
  set(CPACK_NSIS_INSTALL_ROOT "$PROGRAMFILES64")
  # Start-menu shortcut "Lepton Workbench" -> $INSTDIR\bin\lepton-workbench.exe; CPack's NSIS
  # template also puts an "Uninstall" shortcut beside it and writes Uninstall.exe + the
  # Add/Remove Programs entry.
  set(CPACK_NSIS_EXECUTABLES_DIRECTORY "${_lepton_bindir}")
  set(CPACK_PACKAGE_EXECUTABLES "lepton-workbench;Lepton Workbench")
  set(CPACK_NSIS_MUI_FINISHPAGE_RUN "lepton-workbench.exe")
  set(CPACK_NSIS_UNINSTALL_NAME "Uninstall")
  set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
  # Offers to add $INSTDIR\bin to PATH so `lepton` works from any console.
  set(CPACK_NSIS_MODIFY_PATH ON)
  # The licence page shows CPACK_RESOURCE_FILE_LICENSE (LICENSE, set in Packaging.cmake).
  set(CPACK_NSIS_MANIFEST_DPI_AWARE ON)
  set(CPACK_NSIS_CONTACT "${CPACK_PACKAGE_CONTACT}")
  set(CPACK_NSIS_URL_INFO_ABOUT "${PROJECT_HOMEPAGE_URL}")
  set(CPACK_NSIS_HELP_LINK "${PROJECT_HOMEPAGE_URL}")
  set(CPACK_NSIS_BRANDING_TEXT "Lepton Workbench ${PROJECT_VERSION}")
  # An installer icon needs a .ico; none is in resources/icons, so NSIS's default is used.
  if(EXISTS "${PROJECT_SOURCE_DIR}/resources/icons/lepton-workbench.ico")
    set(CPACK_NSIS_MUI_ICON "${PROJECT_SOURCE_DIR}/resources/icons/lepton-workbench.ico")
    set(CPACK_NSIS_MUI_UNIICON "${PROJECT_SOURCE_DIR}/resources/icons/lepton-workbench.ico")
    set(CPACK_NSIS_INSTALLED_ICON_NAME "${_lepton_bindir}\\\\lepton-workbench.exe")
  endif()
  # Large (LibTorch alone is several hundred MB); LZMA solid compression keeps the .exe smaller.
  set(CPACK_NSIS_COMPRESSOR "/SOLID lzma")
endif()

if(APPLE)
  # ---------------------------------------------------------------------------------------------
  # macOS
  # ---------------------------------------------------------------------------------------------
  option(LEPTON_MACOS_ICON "macOS: give the app an .icns made at configure time from resources/icons/hicolor (needs iconutil)" ON)

  set(_lepton_bindir "${CMAKE_INSTALL_BINDIR}")
  set(_lepton_app "lepton-workbench.app")

  if(TARGET lepton-workbench)
    # app/CMakeLists.txt installs lepton-workbench with RUNTIME DESTINATION bin; CMake decides at
    # generate time that a MACOSX_BUNDLE target installs its whole .app there, so the install tree
    # gets bin/lepton-workbench.app.
    set_target_properties(lepton-workbench PROPERTIES
      MACOSX_BUNDLE ON
      MACOSX_BUNDLE_BUNDLE_NAME "Lepton Workbench"
      MACOSX_BUNDLE_GUI_IDENTIFIER "example.lepton-workbench.workbench"
      MACOSX_BUNDLE_BUNDLE_VERSION "${PROJECT_VERSION}"
      MACOSX_BUNDLE_SHORT_VERSION_STRING "${PROJECT_VERSION}"
      MACOSX_BUNDLE_LONG_VERSION_STRING "${PROJECT_VERSION}"
      MACOSX_BUNDLE_INFO_STRING "Lepton Workbench ${PROJECT_VERSION}"
      MACOSX_BUNDLE_COPYRIGHT "GPL-3.0-or-later")

    if(LEPTON_MACOS_ICON)
      # An .icns from the PNGs already rendered from the SVG (resources/icons/hicolor), with
      # iconutil (part of macOS): no SVG converter needed. Missing sizes (512) are left out;
      # iconutil accepts a partial set.
      find_program(LEPTON_ICONUTIL iconutil)
      set(_png_dir "${PROJECT_SOURCE_DIR}/resources/icons/hicolor")
      set(_iconset "${CMAKE_BINARY_DIR}/lepton-workbench.iconset")
      set(_icns "${CMAKE_BINARY_DIR}/lepton-workbench.icns")
      # iconset name = PNG size it is made from
      set(_icon_map "16x16=16" "16x16@2x=32" "32x32=32" "32x32@2x=64" "128x128=128"
                    "128x128@2x=256" "256x256=256")
      if(LEPTON_ICONUTIL AND NOT EXISTS "${_icns}")
        file(REMOVE_RECURSE "${_iconset}")
        file(MAKE_DIRECTORY "${_iconset}")
        foreach(_entry IN LISTS _icon_map)
          string(REPLACE "=" ";" _entry "${_entry}")
          list(GET _entry 0 _name)
          list(GET _entry 1 _px)
          set(_png "${_png_dir}/${_px}x${_px}/apps/lepton-workbench.png")
          if(EXISTS "${_png}")
            configure_file("${_png}" "${_iconset}/icon_${_name}.png" COPYONLY)
          endif()
        endforeach()
        execute_process(COMMAND "${LEPTON_ICONUTIL}" -c icns "${_iconset}" -o "${_icns}"
                        RESULT_VARIABLE _rc)
        if(NOT _rc EQUAL 0)
          file(REMOVE "${_icns}")
        endif()
      endif()
      if(EXISTS "${_icns}")
        target_sources(lepton-workbench PRIVATE "${_icns}")
        set_source_files_properties("${_icns}" TARGET_DIRECTORY lepton-workbench
          PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
        set_target_properties(lepton-workbench PROPERTIES MACOSX_BUNDLE_ICON_FILE lepton-workbench.icns)
        set(CPACK_PACKAGE_ICON "${_icns}")
      else()
        message(STATUS "lepton-workbench.icns not made (needs iconutil): the app gets the default icon")
      endif()
    endif()
  endif()

  # --- macdeployqt, found beside Qt6's qmake.
  set(_lepton_macdeployqt "")
  if(TARGET Qt6::qmake)
    get_target_property(_qmake Qt6::qmake IMPORTED_LOCATION)
    get_filename_component(_qt_bin "${_qmake}" DIRECTORY)
    find_program(_lepton_macdeployqt_exe macdeployqt HINTS "${_qt_bin}" NO_DEFAULT_PATH)
  endif()
  if(NOT _lepton_macdeployqt_exe)
    find_program(_lepton_macdeployqt_exe macdeployqt)
  endif()
  if(_lepton_macdeployqt_exe)
    set(_lepton_macdeployqt "${_lepton_macdeployqt_exe}")
  elseif(TARGET lepton-workbench)
    message(WARNING "macdeployqt not found: the installed lepton-workbench.app will not be self-contained")
  endif()

  # Folders holding LibTorch, OpenCV and QCustomPlot dylibs: macdeployqt's -libpath resolves the
  # @rpath/... install names (LibTorch's, QCustomPlot's) against them and copies the libraries
  # into Contents/Frameworks, rewriting every reference.
  set(_lepton_libpaths "${TORCH_INSTALL_PREFIX}/lib")
  foreach(_t IN ITEMS opencv_core opencv_imgproc opencv_imgcodecs QCustomPlotQt6::QCustomPlotQt6)
    if(TARGET ${_t})
      foreach(_prop IN ITEMS IMPORTED_LOCATION_RELEASE IMPORTED_LOCATION_RELWITHDEBINFO IMPORTED_LOCATION_NONE IMPORTED_LOCATION)
        get_target_property(_loc ${_t} ${_prop})
        if(_loc)
          get_filename_component(_dir "${_loc}" DIRECTORY)
          list(APPEND _lepton_libpaths "${_dir}")
          break()
        endif()
      endforeach()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _lepton_libpaths)
  set(_lepton_libpath_args "")
  foreach(_p IN LISTS _lepton_libpaths)
    string(APPEND _lepton_libpath_args " \"-libpath=${_p}\"")
  endforeach()

  if(TARGET lepton-workbench AND _lepton_macdeployqt)
    # After the executables are installed (CMP0082: install rules run in declaration order, and
    # this file comes after every add_subdirectory):
    #  1. copy the `lepton` CLI into the bundle, so it shares the bundle's Frameworks;
    #  2. macdeployqt the bundle (Qt frameworks, cocoa platform plugin, qsqlite, LibTorch incl.
    #     libomp, OpenCV, QCustomPlot), with -executable= for the CLI copy;
    #  3. replace bin/lepton with a two-line script that runs the bundled CLI;
    #  4. fail if any Mach-O in the bundle still refers to Homebrew or the build machine;
    #  5. ad-hoc sign the bundle again (install_name_tool invalidates signatures; arm64 needs one).
    install(CODE "
      set(_bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${_lepton_bindir}\")
      set(_app \"\${_bin}/${_lepton_app}\")
      if(NOT EXISTS \"\${_app}/Contents/MacOS/lepton-workbench\")
        message(FATAL_ERROR \"lepton deploy: \${_app} was not installed\")
      endif()
      file(COPY \"\${_bin}/lepton\" DESTINATION \"\${_app}/Contents/MacOS\" USE_SOURCE_PERMISSIONS)
      execute_process(
        COMMAND \"${_lepton_macdeployqt}\" \"\${_app}\" -always-overwrite -verbose=1
                \"-executable=\${_app}/Contents/MacOS/lepton\" ${_lepton_libpath_args}
        RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(FATAL_ERROR \"macdeployqt failed (\${_rc})\")
      endif()

      file(REMOVE \"\${_bin}/lepton\")
      file(WRITE \"\${_bin}/lepton\"
        \"#!/bin/sh\\n# The lepton command line lives in the app bundle beside the libraries it uses.\\nexec \\\"\\$(dirname \\\"\\$0\\\")/${_lepton_app}/Contents/MacOS/lepton\\\" \\\"\\$@\\\"\\n\")
      file(CHMOD \"\${_bin}/lepton\" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
           GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

      file(GLOB_RECURSE _machos LIST_DIRECTORIES false
           \"\${_app}/Contents/MacOS/*\" \"\${_app}/Contents/Frameworks/*.dylib\"
           \"\${_app}/Contents/PlugIns/*.dylib\")
      set(_bad \"\")
      foreach(_f IN LISTS _machos)
        execute_process(COMMAND otool -L \"\${_f}\" OUTPUT_VARIABLE _deps ERROR_QUIET)
        foreach(_prefix IN ITEMS /opt/homebrew /usr/local \"${CMAKE_BINARY_DIR}\" \"${TORCH_INSTALL_PREFIX}\")
          string(FIND \"\${_deps}\" \"\\t\${_prefix}/\" _pos)
          if(NOT _pos EQUAL -1)
            list(APPEND _bad \"\${_f} -> \${_prefix}\")
          endif()
        endforeach()
      endforeach()
      if(_bad)
        string(REPLACE \";\" \"\\n\" _bad \"\${_bad}\")
        message(FATAL_ERROR \"lepton deploy: the bundle still refers to libraries outside it:\\n\${_bad}\")
      endif()

      execute_process(COMMAND codesign --force --deep --sign - \"\${_app}\" RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(WARNING \"codesign (ad hoc) failed (\${_rc}); the app may not start on Apple silicon\")
      endif()
    ")
  endif()

  # --- CPack DragNDrop: a .dmg whose root is the install tree (bin/lepton-workbench.app, bin/lepton,
  # share/lepton-workbench/templates).
  set(CPACK_GENERATOR "DragNDrop")
  set(CPACK_PACKAGE_FILE_NAME "lepton-workbench-${PROJECT_VERSION}-macos-${CMAKE_SYSTEM_PROCESSOR}")
  set(CPACK_DMG_VOLUME_NAME "Lepton Workbench ${PROJECT_VERSION}")
  set(CPACK_DMG_FORMAT "UDBZ")
  if(EXISTS "${PROJECT_SOURCE_DIR}/packaging/macos/dmg-background.png")
    set(CPACK_DMG_BACKGROUND_IMAGE "${PROJECT_SOURCE_DIR}/packaging/macos/dmg-background.png")
  endif()
  # No licence agreement on mount (CPACK_RESOURCE_FILE_LICENSE is still in the package's files).
  set(CPACK_DMG_SLA_USE_RESOURCE_FILE_LICENSE OFF)
  # Stripping after macdeployqt would break signatures; CPACK_STRIP_FILES strips each target as it
  # is installed, which is before the deploy step above, so it can stay ON.
endif()
