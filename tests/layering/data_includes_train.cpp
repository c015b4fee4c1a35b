// SPDX-License-Identifier: GPL-3.0-or-later
// Must not compile: the data layer sits below train (core/CMakeLists.txt), so it cannot see
// train's headers. The test core_layering_refused builds this file and expects that failure.
#include "data/CsvReader.h"
#include "train/Trainer.h"
