// SPDX-License-Identifier: GPL-3.0-or-later
// The service layer (core/service): QtCore-only services and list models that the workbench's
// views call instead of reading the study themselves (docs/ARCHITECTURE.md). Each service is a
// class of its own in this folder; this file keeps the library non-empty while it grows.
