// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The prediction query lives in the core (store/PredictionQuery.h); these names keep the views
// that still spell it without its namespace compiling until they call it by its full name.
#include "store/PredictionQuery.h"

using lepton::CasePrediction;
using lepton::PredictionFilter;
using lepton::PredictionQuery;
