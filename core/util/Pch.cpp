// SPDX-License-Identifier: GPL-3.0-or-later
// The translation unit that holds the core's precompiled headers (core/CMakeLists.txt).
