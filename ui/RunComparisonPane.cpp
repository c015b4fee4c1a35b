// SPDX-License-Identifier: GPL-3.0-or-later
#include "RunComparisonPane.h"

#include "RunCurvesPlot.h"
#include "RunTableModel.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <QSet>
#include <algorithm>

#include <cmath>

namespace {

const QColor kDifferent(255, 246, 204); // a setting that differs between the runs
const QColor kBestValue(232, 245, 233); // the best value of a metric across runs

QIcon swatch(const QColor &colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setPen(colour.darker(130));
    p.setBrush(colour);
    p.drawRoundedRect(QRectF(0.5, 0.5, 11, 11), 2, 2);
    return QIcon(pixmap);
}

QTableView *makeTable(QWidget *parent, QStandardItemModel *model, const char *name)
{
    auto *view = new QTableView(parent);
    view->setObjectName(QString::fromLatin1(name));
    view->setModel(model);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setHighlightSections(false);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    return view;
}

void setRunHeaders(QStandardItemModel *model, const QStringList &labels)
{
    model->setColumnCount(static_cast<int>(labels.size()));
    for (int c = 0; c < labels.size(); ++c) {
        auto *header = new QStandardItem(labels[c]);
        header->setIcon(swatch(RunCurvesPlot::runColour(c)));
        model->setHorizontalHeaderItem(c, header);
    }
}

} // namespace

RunComparisonPane::RunComparisonPane(QWidget *parent)
    : QWidget(parent),
      m_tabs(new QTabWidget(this)),
      m_curves(new RunCurvesPlot(this)),
      m_metrics(new QStandardItemModel(this)),
      m_metricsView(makeTable(this, m_metrics, "metricsTable")),
      m_diff(new QStandardItemModel(this)),
      m_diffView(makeTable(this, m_diff, "diffTable")),
      m_onlyDifferences(new QCheckBox(tr("Only settings that differ"), this)),
      m_diffSummary(new QLabel(this)),
      m_cvPage(new QWidget(this)),
      m_cv(new QStandardItemModel(this)),
      m_cvView(makeTable(this, m_cv, "cvTable")),
      m_cvSummary(new QLabel(this)),
      m_selectCvGroup(new QPushButton(tr("Select its runs"), this))
{
    m_curves->setObjectName(QStringLiteral("runCurves"));
    m_curves->setMetricChoices({ { QStringLiteral("val:loss"), tr("Validation loss") },
        { QStringLiteral("val:auroc"), tr("Validation AUROC") },
        { QStringLiteral("val:accuracy"), tr("Validation accuracy") },
        { QStringLiteral("val:f1"), tr("Validation F1") }, { QStringLiteral("train:loss"), tr("Train loss") },
        { QStringLiteral("train:accuracy"), tr("Train accuracy") } });
    m_metricsView->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_metricsView->setToolTip(tr("Validation values at each run's best epoch; test values of its final evaluation. "
                                 "The best value of a row is highlighted."));
    m_onlyDifferences->setObjectName(QStringLiteral("onlyDifferences"));
    m_onlyDifferences->setChecked(true);
    m_diffSummary->setObjectName(QStringLiteral("diffSummary"));
    m_diffSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *diffPage = new QWidget(this);
    auto *diffLayout = new QVBoxLayout(diffPage);
    auto *diffTop = new QHBoxLayout;
    diffTop->addWidget(m_diffSummary, 1);
    diffTop->addWidget(m_onlyDifferences);
    diffLayout->addLayout(diffTop);
    diffLayout->addWidget(m_diffView, 1);
    auto *curvesPage = new QWidget(this);
    auto *curvesLayout = new QVBoxLayout(curvesPage);
    curvesLayout->addWidget(m_curves);

    m_tabs->setObjectName(QStringLiteral("compareTabs"));
    m_tabs->addTab(curvesPage, tr("Curves"));
    m_tabs->addTab(m_metricsView, tr("Metrics"));
    m_tabs->addTab(diffPage, tr("Config diff"));

    m_cvSummary->setObjectName(QStringLiteral("cvSummary"));
    m_cvSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cvSummary->setWordWrap(true);
    m_selectCvGroup->setObjectName(QStringLiteral("selectCvGroup"));
    m_selectCvGroup->setToolTip(tr("Select every fold of this cross-validation in the runs table"));
    m_cvView->setToolTip(tr("Across the folds: the mean ± the sample standard deviation, and the 95 % interval of "
                            "the mean (mean ± t·SD/√n). Val: each fold's best epoch; test: its final evaluation."));
    auto *cvLayout = new QVBoxLayout(m_cvPage);
    auto *cvTop = new QHBoxLayout;
    cvTop->addWidget(m_cvSummary, 1);
    cvTop->addWidget(m_selectCvGroup);
    cvLayout->addLayout(cvTop);
    cvLayout->addWidget(m_cvView, 1);
    m_tabs->addTab(m_cvPage, tr("Cross-validation"));
    connect(m_selectCvGroup, &QPushButton::clicked, this, [this] { Q_EMIT selectRunsRequested(m_cvRuns); });
    clearCrossValidation(QString());

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("<b>Compare the selected runs</b>"), this);
    title->setMinimumHeight(QFontMetrics(font()).height() * 2);
    layout->addWidget(title);
    layout->addWidget(m_tabs, 1);

    connect(m_onlyDifferences, &QCheckBox::toggled, this, &RunComparisonPane::showSettings);
}

void RunComparisonPane::clear(const QString &placeholder)
{
    m_comparison = lepton::RunComparison();
    m_labels.clear();
    m_curves->setPlaceholderText(placeholder);
    m_curves->setRuns({});
    showMetrics();
    showSettings();
}

void RunComparisonPane::showComparison(
    const lepton::RunComparison &comparison, const QStringList &labels, const QString &groupLabel)
{
    m_comparison = comparison;
    m_labels = labels;
    QVector<RunCurvesPlot::Run> series;
    const std::vector<lepton::RunResults> &runs = m_comparison.runs();
    for (std::size_t i = 0; i < runs.size(); ++i) {
        RunCurvesPlot::Run run;
        run.label = m_labels.value(static_cast<int>(i));
        run.colour = RunCurvesPlot::runColour(static_cast<int>(i));
        run.bestEpoch = runs[i].bestEpoch >= 0 ? runs[i].bestEpoch + 1.0 : -1.0;
        for (const auto &[key, points] : runs[i].curves)
            for (const QPointF &p : points)
                run.metrics[key].append({ p.x(), p.y() });
        series.append(run);
    }
    if (!groupLabel.isEmpty() && series.size() >= 2) {
        // The folds' mean and SD per epoch, over the epochs every fold has.
        RunCurvesPlot::Run mean;
        mean.label = tr("%1 mean ± SD").arg(groupLabel);
        mean.colour = QColor(40, 40, 40);
        QSet<QString> keys;
        for (const RunCurvesPlot::Run &r : std::as_const(series))
            for (auto it = r.metrics.cbegin(); it != r.metrics.cend(); ++it)
                keys.insert(it.key());
        for (const QString &key : std::as_const(keys)) {
            QMap<double, QVector<double>> byEpoch;
            for (const RunCurvesPlot::Run &r : std::as_const(series))
                for (const auto &[epoch, value] : r.metrics.value(key))
                    if (std::isfinite(value))
                        byEpoch[epoch].append(value);
            for (auto it = byEpoch.cbegin(); it != byEpoch.cend(); ++it) {
                const QVector<double> &v = it.value();
                if (v.size() != series.size())
                    continue;
                double m = 0;
                for (double x : v)
                    m += x;
                m /= v.size();
                double ss = 0;
                for (double x : v)
                    ss += (x - m) * (x - m);
                mean.metrics[key].append({ it.key(), m });
                mean.spread[key].append(std::sqrt(ss / (v.size() - 1)));
            }
        }
        series.append(mean);
    }
    m_curves->setPlaceholderText(tr("Select runs in the table to compare their curves"));
    m_curves->setRuns(series);
    showMetrics();
    showSettings();
}

void RunComparisonPane::showMetrics()
{
    m_metrics->clear();
    if (m_comparison.runCount() == 0)
        return;
    const std::vector<lepton::ComparedMetric> &rows = m_comparison.metrics();
    m_metrics->setRowCount(static_cast<int>(rows.size()));
    setRunHeaders(m_metrics, m_labels);
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        const lepton::ComparedMetric &metric = rows[static_cast<std::size_t>(r)];
        m_metrics->setVerticalHeaderItem(
            r, new QStandardItem(QCoreApplication::translate("RunComparison", metric.title)));
        for (int c = 0; c < static_cast<int>(metric.values.size()); ++c) {
            const double v = metric.values[static_cast<std::size_t>(c)];
            const QString text = !std::isfinite(v)            ? QStringLiteral("–")
                : metric.key == QLatin1String("run:duration") ? RunTableModel::durationText(v)
                                                              : QString::number(v, 'f', metric.decimals);
            auto *item = new QStandardItem(text);
            item->setData(std::isfinite(v) ? QVariant(v) : QVariant(), Qt::UserRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (metric.best[static_cast<std::size_t>(c)]) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
                item->setBackground(kBestValue);
            }
            m_metrics->setItem(r, c, item);
        }
    }
}

void RunComparisonPane::showSettings()
{
    m_diff->clear();
    const int runs = m_comparison.runCount();
    if (runs == 0) {
        m_diffSummary->setText(tr("Select two or more runs to see the settings in which they differ."));
        return;
    }
    const bool onlyDifferences = m_onlyDifferences->isChecked() && runs > 1;
    setRunHeaders(m_diff, m_labels);
    const std::vector<lepton::ConfigDifference> &settings = m_comparison.settings();
    for (const lepton::ConfigDifference &setting : settings) {
        if (onlyDifferences && !setting.differs)
            continue;
        const bool marked = setting.differs && runs > 1;
        QList<QStandardItem *> row;
        for (const QString &v : setting.values) {
            auto *item = new QStandardItem(v);
            item->setToolTip(v);
            if (marked)
                item->setBackground(kDifferent);
            row.append(item);
        }
        m_diff->appendRow(row);
        auto *name = new QStandardItem(setting.key);
        if (marked) {
            QFont f = name->font();
            f.setBold(true);
            name->setFont(f);
        }
        m_diff->setVerticalHeaderItem(m_diff->rowCount() - 1, name);
    }
    const int keys = static_cast<int>(settings.size());
    const int differing = m_comparison.differingSettings();
    if (runs == 1)
        m_diffSummary->setText(tr("The %n setting(s) of run %1. Select more runs to see what differs.", nullptr, keys)
                                   .arg(m_comparison.runs().front().runId));
    else if (differing == 0)
        m_diffSummary->setText(tr("The selected runs have the same %n setting(s).", nullptr, keys));
    else
        m_diffSummary->setText(
            tr("%1 of %n setting(s) differ between the %2 runs.", nullptr, keys).arg(differing).arg(runs));
}

void RunComparisonPane::clearCrossValidation(const QString &placeholder)
{
    m_cv->clear();
    m_cvRuns.clear();
    m_cvView->hide();
    m_selectCvGroup->hide();
    m_cvSummary->setText(placeholder.isEmpty()
            ? tr("The current run is not a fold of a cross-validation (lepton train --folds K).")
            : placeholder);
}

void RunComparisonPane::showCrossValidation(const lepton::CvAggregate &aggregate, bool raise)
{
    m_cv->clear();
    m_cvRuns = aggregate.runs;
    const auto number = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("–"); };
    const auto find = [](const std::vector<lepton::CvMetric> &rows, const QString &name) -> const lepton::CvMetric * {
        for (const lepton::CvMetric &m : rows)
            if (m.name == name)
                return &m;
        return nullptr;
    };
    // One row per split and metric (val first), so the table stays narrow beside the run's results.
    m_cv->setHorizontalHeaderLabels({ tr("Mean ± SD"), tr("95 % interval"), tr("n folds") });
    static const char *const titles[] = { QT_TR_NOOP("AUROC"), QT_TR_NOOP("AUPRC"), QT_TR_NOOP("Accuracy"),
        QT_TR_NOOP("Sensitivity"), QT_TR_NOOP("Specificity"), QT_TR_NOOP("F1"), QT_TR_NOOP("ECE") };
    const QStringList names = lepton::ExperimentService::cvMetricNames();
    for (const bool val : { true, false }) {
        const std::vector<lepton::CvMetric> &metrics = val ? aggregate.val : aggregate.test;
        for (int i = 0; i < names.size(); ++i) {
            const lepton::CvMetric *m = find(metrics, names[i]);
            if (!m)
                continue;
            QList<QStandardItem *> row { new QStandardItem(tr("%1 ± %2").arg(number(m->mean), number(m->sd))),
                new QStandardItem(tr("%1 – %2").arg(number(m->lo), number(m->hi))),
                new QStandardItem(QString::number(m->n)) };
            for (QStandardItem *item : row)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_cv->appendRow(row);
            m_cv->setVerticalHeaderItem(
                m_cv->rowCount() - 1, new QStandardItem((val ? tr("Val · %1") : tr("Test · %1")).arg(tr(titles[i]))));
        }
    }
    QStringList runs;
    for (qint64 id : aggregate.runs)
        runs.append(QStringLiteral("#%1").arg(id));
    m_cvSummary->setText(tr("<b>%1</b> · %2 folds · runs %3")
                             .arg(aggregate.group.toHtmlEscaped())
                             .arg(aggregate.folds)
                             .arg(runs.join(QStringLiteral(", "))));
    m_cvView->show();
    m_selectCvGroup->setVisible(!aggregate.runs.isEmpty());
    if (raise)
        m_tabs->setCurrentWidget(m_cvPage);
}
