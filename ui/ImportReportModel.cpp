// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportReportModel.h"

#include "data/CsvReader.h"

#include <QApplication>
#include <QFileInfo>
#include <QIcon>
#include <QStyle>

#include <algorithm>
#include <vector>

using lepton::ImportProblem;

namespace {

int severityRank(ImportProblem::Severity severity)
{
    switch (severity) {
    case ImportProblem::Severity::Fatal:
        return 0;
    case ImportProblem::Severity::Excluded:
        return 1;
    case ImportProblem::Severity::Warning:
        return 2;
    case ImportProblem::Severity::Info:
        return 3;
    }
    return 4;
}

QString severityLabel(ImportProblem::Severity severity)
{
    switch (severity) {
    case ImportProblem::Severity::Fatal:
        return ImportReportModel::tr("Fatal");
    case ImportProblem::Severity::Excluded:
        return ImportReportModel::tr("Excluded");
    case ImportProblem::Severity::Warning:
        return ImportReportModel::tr("Warning");
    case ImportProblem::Severity::Info:
        return ImportReportModel::tr("Changed");
    }
    return QString();
}

QIcon severityIcon(ImportProblem::Severity severity)
{
    QStyle *style = QApplication::style();
    switch (severity) {
    case ImportProblem::Severity::Fatal:
        return style->standardIcon(QStyle::SP_MessageBoxCritical);
    case ImportProblem::Severity::Excluded:
        return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case ImportProblem::Severity::Warning:
    case ImportProblem::Severity::Info:
        return style->standardIcon(QStyle::SP_MessageBoxInformation);
    }
    return QIcon();
}

} // namespace

ImportReportModel::ImportReportModel(QObject *parent) : QAbstractTableModel(parent) { }

void ImportReportModel::setReport(const lepton::ImportReport &report)
{
    beginResetModel();
    m_report = report;
    endResetModel();
}

void ImportReportModel::clear()
{
    setReport(lepton::ImportReport());
}

QStringList ImportReportModel::topExclusionReasons(const lepton::ImportReport &report, int count)
{
    struct Kind
    {
        QString kind;
        int rows = 0;
        QString example;
    };
    std::vector<Kind> kinds;
    for (const lepton::ImportProblem &p : report.problems()) {
        if (p.severity != lepton::ImportProblem::Severity::Excluded)
            continue;
        auto it = std::find_if(kinds.begin(), kinds.end(), [&](const Kind &k) { return k.kind == p.kind; });
        if (it == kinds.end())
            kinds.push_back({ p.kind, 1, p.reason });
        else
            ++it->rows;
    }
    std::stable_sort(kinds.begin(), kinds.end(), [](const Kind &a, const Kind &b) { return a.rows > b.rows; });
    QStringList out;
    for (std::size_t i = 0; i < kinds.size() && int(i) < count; ++i)
        out.append(tr("%1 (%n row(s)): %2", nullptr, kinds[i].rows).arg(kinds[i].kind, kinds[i].example));
    return out;
}

QString ImportReportModel::toCsv() const
{
    QString csv
        = lepton::csvLine({ QStringLiteral("severity"), QStringLiteral("kind"), QStringLiteral("file"),
              QStringLiteral("line"), QStringLiteral("column"), QStringLiteral("case_id"), QStringLiteral("reason") })
        + QLatin1Char('\n');
    for (const ImportProblem &p : m_report.problems()) {
        csv += lepton::csvLine({ p.severityName(), p.kind, p.file, p.line > 0 ? QString::number(p.line) : QString(),
                   p.column, p.caseId, p.reason })
            + QLatin1Char('\n');
    }
    return csv;
}

int ImportReportModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_report.problems().size());
}

int ImportReportModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImportReportModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return QVariant();
    const ImportProblem &p = m_report.problems().at(index.row());
    if (role == Qt::DecorationRole && index.column() == Severity)
        return severityIcon(p.severity);
    if (role == Qt::TextAlignmentRole && index.column() == Line)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole) {
        if (index.column() == File)
            return p.file;
        if (index.column() == Reason)
            return p.reason;
        return QVariant();
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return QVariant();
    const bool sorting = role == SortRole;
    switch (index.column()) {
    case Severity:
        return sorting ? QVariant(severityRank(p.severity)) : QVariant(severityLabel(p.severity));
    case Kind:
        return p.kind;
    case File:
        return sorting ? p.file : QFileInfo(p.file).fileName();
    case Line:
        if (sorting)
            return p.line;
        return p.line > 0 ? QVariant(p.line) : QVariant();
    case ColumnName:
        return p.column;
    case Case:
        return p.caseId;
    case Reason:
        return p.reason;
    default:
        return QVariant();
    }
}

QVariant ImportReportModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case Severity:
        return tr("Severity");
    case Kind:
        return tr("Kind");
    case File:
        return tr("File");
    case Line:
        return tr("Line");
    case ColumnName:
        return tr("Column");
    case Case:
        return tr("Case");
    case Reason:
        return tr("Reason");
    default:
        return QVariant();
    }
}
