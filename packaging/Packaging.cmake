# CPack: a Debian package now; NSIS/DragNDrop recipes come with the installer work.
set(CPACK_PACKAGE_NAME "lepton-workbench")
set(CPACK_PACKAGE_VENDOR "Lepton Workbench")
set(CPACK_PACKAGE_CONTACT "Lepton Workbench maintainers <maintainers@lepton-workbench.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Dependencies computed from the binaries' shared libraries, plus the optimised BLAS LibTorch
# needs at run time (it is loaded through alternatives, so shlibdeps cannot see it) and the
# SQLite driver Qt loads as a plugin.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread, libqt6sql6-sqlite")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB;TGZ")
# Windows (NSIS) and macOS (DragNDrop) settings and deploy steps.
include(${CMAKE_CURRENT_LIST_DIR}/Platform.cmake OPTIONAL)
include(CPack)
