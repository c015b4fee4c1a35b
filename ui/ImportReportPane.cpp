// SPDX-License-Identifier: GPL-3.0-or-later
#include "ImportReportPane.h"

#include "ImportReportModel.h"

#include "data/ImportReport.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

ImportReportPane::ImportReportPane(QWidget *parent)
    : QWidget(parent),
      m_model(new ImportReportModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this)),
      m_summary(new QLabel(this)),
      m_export(new QPushButton(tr("&Export Report…"), this))
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_export->setAutoDefault(false);
    m_export->setToolTip(tr("Save the report as a CSV file"));
    top->addWidget(m_summary, 1);
    top->addWidget(m_export, 0, Qt::AlignTop);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ImportReportModel::SortRole);
    m_view->setObjectName(QStringLiteral("reportView"));
    m_view->setModel(m_proxy);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    // Report order until the user sorts by a column.
    m_view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_view->setSortingEnabled(true);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(ImportReportModel::Severity, 100);
    m_view->setColumnWidth(ImportReportModel::Kind, 140);
    m_view->setColumnWidth(ImportReportModel::File, 120);
    m_view->setColumnWidth(ImportReportModel::Line, 56);
    m_view->setColumnWidth(ImportReportModel::ColumnName, 90);
    m_view->setColumnWidth(ImportReportModel::Case, 90);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    connect(m_export, &QPushButton::clicked, this, &ImportReportPane::exportRequested);
}

void ImportReportPane::setReport(const lepton::ImportReport &report, const QString &summary)
{
    m_model->setReport(report);
    m_haveReport = true;
    QString text = summary;
    const lepton::DeidentificationSummary &deid = report.deidentification;
    if (deid.applied)
        text += QStringLiteral("<br>")
            + tr("De-identified: %1 identifiers replaced by pseudonyms, %2 dates shifted, %3 ages grouped as 90; "
                 "the rows marked “Changed” list the columns.")
                  .arg(deid.identifiersReplaced)
                  .arg(deid.datesShifted)
                  .arg(deid.agesGrouped);
    if (!deid.droppedColumns.isEmpty())
        text += QStringLiteral("<br>")
            + tr("Dropped (not stored): %1.").arg(deid.droppedColumns.join(QStringLiteral(", ")).toHtmlEscaped());
    if (report.problemCount() == 0)
        text += QStringLiteral("<br>") + tr("No problems were found.");
    else
        text += QStringLiteral("<br>")
            + tr("%1 problems: %2 fatal, %3 excluded, %4 warnings.")
                  .arg(report.problemCount())
                  .arg(report.count(lepton::ImportProblem::Severity::Fatal))
                  .arg(report.count(lepton::ImportProblem::Severity::Excluded))
                  .arg(report.count(lepton::ImportProblem::Severity::Warning));
    m_summary->setText(text);
}

void ImportReportPane::clear()
{
    m_haveReport = false;
    m_model->clear();
    m_summary->clear();
}

int ImportReportPane::rowCount() const
{
    return m_model->rowCount();
}

QString ImportReportPane::toCsv() const
{
    return m_model->toCsv();
}

void ImportReportPane::setExportEnabled(bool enabled)
{
    m_export->setEnabled(enabled);
}
