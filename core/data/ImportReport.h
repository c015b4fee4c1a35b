// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace lepton {

/// One problem found while importing: where it is and what to do about it.
struct ImportProblem
{
    enum class Severity {
        Info, ///< a change the import made on purpose (de-identification), not a problem
        Warning, ///< noted, nothing excluded (e.g. an unparsable value kept as missing)
        Excluded, ///< the row (case or event) is left out of the dataset
        Fatal ///< the import is aborted and nothing is written
    };
    Severity severity = Severity::Excluded;
    QString kind; ///< stable code, e.g. "duplicate-id", "image-missing"
    QString file;
    int line = 0; ///< 1-based physical line, 0 when not about a line
    QString column;
    QString caseId;
    QString reason; ///< a sentence that says what is wrong and what to do

    QString severityName() const;
    QString toText() const;
    QJsonObject toJson() const;
};

/// What a de-identifying import changed (see docs/PRIVACY.md). Names only, never values.
struct DeidentificationSummary
{
    bool applied = false;
    QStringList identifierColumns; ///< replaced by pseudonyms, the case id first
    int identifiersReplaced = 0; ///< values replaced, over the manifest and the events
    QStringList droppedColumns; ///< not stored anywhere in the study
    QStringList dateColumns; ///< shifted per patient; "events.<time>" for event times
    int datesShifted = 0;
    QStringList ageColumns;
    int agesGrouped = 0; ///< values above 89 stored as 90 ("90 or older")
    int imagePathsWithIdentifiers = 0; ///< image paths that contain an identifier (kept as written)

    QJsonObject toJson() const;
    static DeidentificationSummary fromJson(const QJsonObject &json);
};

/// Everything an import found: counts and the list of problems. Stored in the study with the
/// dataset and printed by `lepton import`.
class ImportReport
{
public:
    void add(ImportProblem problem) { m_problems.append(std::move(problem)); }
    void addFatal(const QString &kind, const QString &file, const QString &reason, int line = 0,
        const QString &column = QString());

    const QVector<ImportProblem> &problems() const { return m_problems; }
    bool hasFatal() const;
    int count(ImportProblem::Severity severity) const;
    /// Problems proper: every row but the Info ones.
    int problemCount() const;
    int countKind(const QString &kind) const;

    int rowsRead = 0;
    int casesImported = 0;
    int casesExcluded = 0;
    int imagesDecoded = 0;
    int eventsRead = 0;
    int eventsImported = 0;
    double seconds = 0.0;
    DeidentificationSummary deidentification;

    /// Human-readable summary, what de-identification changed, and one line per problem.
    QString toText(int maxProblems = -1) const;
    QJsonObject toJson() const;
    static ImportReport fromJson(const QJsonObject &json);

private:
    QVector<ImportProblem> m_problems;
};

} // namespace lepton
