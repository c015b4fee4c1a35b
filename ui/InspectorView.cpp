// SPDX-License-Identifier: GPL-3.0-or-later
#include "InspectorView.h"

#include "CaseExplanationPanel.h"

#include "store/DatasetRepository.h"
#include "store/RunRepository.h"
#include "store/Study.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

InspectorView::InspectorView(QWidget *parent)
    : QWidget(parent),
      m_runs(new QComboBox(this)),
      m_compareRuns(new QComboBox(this)),
      m_caseEdit(new QLineEdit(this)),
      m_open(new QPushButton(tr("Open"), this)),
      m_hint(new QLabel(this)),
      m_panel(new CaseExplanationPanel(false, this)),
      m_compare(new CaseExplanationPanel(false, this))
{
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Run"), this));
    m_runs->setMinimumContentsLength(18);
    bar->addWidget(m_runs);
    bar->addSpacing(8);
    bar->addWidget(new QLabel(tr("Case"), this));
    m_caseEdit->setPlaceholderText(tr("case id, e.g. P00042 (Enter)"));
    m_caseEdit->setMaximumWidth(220);
    bar->addWidget(m_caseEdit);
    bar->addWidget(m_open);
    bar->addSpacing(16);
    bar->addWidget(new QLabel(tr("Compare with"), this));
    m_compareRuns->setMinimumContentsLength(18);
    bar->addWidget(m_compareRuns);
    bar->addStretch();
    m_hint->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_hint->setWordWrap(true);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_panel);
    split->addWidget(m_compare);
    m_compare->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_hint);
    layout->addWidget(split, 1);

    connect(m_caseEdit, &QLineEdit::returnPressed, this, &InspectorView::openFromEdit);
    connect(m_open, &QPushButton::clicked, this, &InspectorView::openFromEdit);
    connect(m_runs, &QComboBox::activated, this, [this] {
        if (m_caseId)
            openCase(currentRun(), m_caseId);
    });
    connect(m_compareRuns, &QComboBox::currentIndexChanged, this, &InspectorView::showCompare);
    // The panels keep the same view options, so the comparison stays like for like.
    connect(m_panel, &CaseExplanationPanel::viewOptionsChanged, this, [this] {
        m_compare->overlayBox()->setCurrentIndex(m_panel->overlayBox()->currentIndex());
        m_compare->colourMapBox()->setCurrentIndex(m_panel->colourMapBox()->currentIndex());
        m_compare->opacitySlider()->setValue(m_panel->opacitySlider()->value());
    });
    setStudy(nullptr);
}

void InspectorView::setStudy(std::shared_ptr<lepton::Study> study)
{
    m_study = std::move(study);
    m_caseId = 0;
    m_panel->clear();
    m_compare->clear();
    m_hint->clear();
    reload();
}

void InspectorView::reload()
{
    const qint64 keep = currentRun();
    const qint64 keepCompare = m_compareRuns->currentData().toLongLong();
    QSignalBlocker a(m_runs), b(m_compareRuns);
    m_runs->clear();
    m_compareRuns->clear();
    m_compareRuns->addItem(tr("none"), qint64(0));
    if (m_study) {
        auto runs = lepton::RunRepository(*m_study).runs();
        if (runs)
            for (auto it = runs->rbegin(); it != runs->rend(); ++it) {
                const QString text = tr("%1: %2 (%3)").arg(it->id).arg(it->name, it->status);
                m_runs->addItem(text, it->id);
                m_compareRuns->addItem(text, it->id);
            }
    }
    const int i = m_runs->findData(keep);
    m_runs->setCurrentIndex(i >= 0 ? i : 0);
    const int j = m_compareRuns->findData(keepCompare);
    m_compareRuns->setCurrentIndex(j >= 0 ? j : 0);
    m_caseEdit->setEnabled(m_runs->count() > 0);
    m_open->setEnabled(m_runs->count() > 0);
    if (m_study && m_runs->count() == 0)
        m_panel->clear(tr("No runs yet: train one in the Training view, then predict and explain it."));
}

qint64 InspectorView::currentRun() const
{
    return m_runs->currentIndex() >= 0 ? m_runs->currentData().toLongLong() : 0;
}

void InspectorView::openFromEdit()
{
    const QString key = m_caseEdit->text().trimmed();
    if (!key.isEmpty())
        openCaseKey(currentRun(), key);
}

bool InspectorView::openCaseKey(qint64 runId, const QString &caseKey)
{
    if (!m_study)
        return false;
    lepton::DatasetRepository data(*m_study);
    auto run = lepton::RunRepository(*m_study).run(runId);
    std::vector<qint64> datasets;
    if (run)
        datasets.push_back(run->datasetId);
    if (auto all = data.datasets(false))
        for (const auto &d : all.value())
            if (!run || d.id != run->datasetId)
                datasets.push_back(d.id);
    for (qint64 d : datasets)
        if (auto c = data.caseByKey(d, caseKey))
            return openCase(runId, c->id);
    m_error = tr("No case '%1' in this study; check the id (it is the manifest's case_id).").arg(caseKey);
    m_hint->setText(m_error);
    Q_EMIT errorOccurred(m_error);
    return false;
}

bool InspectorView::openCase(qint64 runId, qint64 caseId)
{
    if (!m_study)
        return false;
    const int i = m_runs->findData(runId);
    if (i < 0) {
        reload();
        if (m_runs->findData(runId) < 0) {
            m_error = tr("Run %1 is not in this study.").arg(runId);
            m_hint->setText(m_error);
            return false;
        }
    }
    m_runs->setCurrentIndex(m_runs->findData(runId));
    m_caseId = caseId;
    m_hint->clear();
    const bool ok = m_panel->showCase(m_study, runId, caseId);
    m_error = ok ? QString() : m_panel->error();
    if (!ok)
        m_hint->setText(m_error);
    if (auto c = lepton::DatasetRepository(*m_study).caseRecord(caseId))
        m_caseEdit->setText(c->caseKey);
    showCompare();
    return ok;
}

void InspectorView::setCompareRun(qint64 runId)
{
    const int i = m_compareRuns->findData(runId);
    m_compareRuns->setCurrentIndex(i >= 0 ? i : 0);
}

void InspectorView::showCompare()
{
    const qint64 other = m_compareRuns->currentData().toLongLong();
    m_compare->setVisible(other != 0);
    if (other == 0 || !m_study || !m_caseId)
        return;
    m_compare->overlayBox()->setCurrentIndex(m_panel->overlayBox()->currentIndex());
    m_compare->showCase(m_study, other, m_caseId);
}
