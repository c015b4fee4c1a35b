# CPack: a Debian package and a .tar.gz of the install tree on Linux; the Windows (NSIS) and
# macOS (DragNDrop) recipes live in Platform.cmake. docs/INSTALL.md describes how to build them.
set(CPACK_PACKAGE_NAME "lepton-workbench")
set(CPACK_PACKAGE_VENDOR "Lepton Workbench")
set(CPACK_PACKAGE_CONTACT "Lepton Workbench maintainers <maintainers@lepton-workbench.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Lepton Workbench")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
# lepton-workbench-0.1.0-linux-x86_64.tar.gz; the .deb keeps Debian's own naming (below).
string(TOLOWER "${CMAKE_SYSTEM_NAME}" _lepton_system)
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}-${PROJECT_VERSION}-${_lepton_system}-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR "DEB;TGZ")

# Debian: lepton-workbench_0.1.0_amd64.deb.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
# The extended description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY above it as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Lepton Workbench trains fusion models on cases that combine an image, a record
of fields and a history of timed events, and explains every prediction with
attention weights, Grad-CAM maps, Integrated Gradients and a counterfactual so
that a person can review the decision. Reviews and changes to runs are kept in
a SHA-256 chained audit log inside the study file.

The package contains the lepton-workbench desktop application and the lepton
command line (import, train, evaluate, predict, explain, export, audit). It
works offline: nothing is downloaded at run time.")
# Dependencies computed from the binaries' shared libraries, plus the optimised BLAS LibTorch
# needs at run time (it is loaded through alternatives, so shlibdeps cannot see it) and the
# SQLite driver Qt loads as a plugin.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread, libqt6sql6-sqlite")

# Windows (NSIS) and macOS (DragNDrop) settings and deploy steps.
include(${CMAKE_CURRENT_LIST_DIR}/Platform.cmake OPTIONAL)
include(CPack)
