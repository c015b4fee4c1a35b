// SPDX-License-Identifier: GPL-3.0-or-later
// Must compile: data may include its own headers and those of util below it. The control for
// core_layering_refused, so that test fails for the layer rule and not for a broken set-up.
#include "data/CsvReader.h"
#include "util/Result.h"
