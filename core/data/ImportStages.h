// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// The importer as a sequence of stages over one ImportContext (data/ImportContext.h), in this
// order (Importer::run). Each returns false after recording a fatal problem in the context's
// report; later stages then do not run. Each stage is tested on its own (tests/tst_importstages).
// A new input kind (another image format, a group column) is a new stage or a change to one.

namespace lepton {

struct ImportContext;

namespace importstage {

/// Reads the manifest; checks the header (no duplicate names), the id column and the role
/// columns the user named; peeks at the events file's header.
bool readManifest(ImportContext &ctx);
/// Instead of readManifest with --dicom-dir: one row per DICOM file of the folder, joined to the
/// labels file (the manifest path) by the --join-on attribute, with the --dicom-fields attributes.
bool readDicomFolder(ImportContext &ctx);
/// Appends the --dicom-fields attributes of each row's DICOM image as columns (and the group
/// column when --group-col names a DICOM attribute); refuses, when de-identifying, attributes
/// that must be removed.
bool addDicomFields(ImportContext &ctx);
/// Checks the columns named by --drop-columns, --id-columns and --age-columns and --field-type;
/// works out the record-field columns and the type overrides.
bool resolveColumns(ImportContext &ctx);
/// De-identifies the manifest's rows before anything reads them (so no problem quotes an
/// identifier): pseudonyms for ids, the per-patient date shift, dropped columns emptied.
bool deidentifyRows(ImportContext &ctx);
/// Excludes ragged rows, empty and duplicate ids, and invalid split names.
bool validateRows(ImportContext &ctx);
/// Infers (or applies) the record fields' types, parses every accepted row's values, and
/// excludes the cases of classes too small to split.
bool inferTypes(ImportContext &ctx);
/// Resolves image paths inside the image root, reads every image's header and hash on all cores.
bool resolveImages(ImportContext &ctx);
/// Assembles the dataset's cases from the accepted rows (values de-identified), its classes,
/// and the split: the manifest's where given, a seeded stratified one for the rest.
bool buildDataset(ImportContext &ctx);
/// Reads the events file, if any: the same de-identification, checks and value parsing.
bool readEvents(ImportContext &ctx);
/// Reports what de-identification changed (names and counts, never values) and what it could not.
bool summariseDeidentification(ImportContext &ctx);

} // namespace importstage
} // namespace lepton
