// SPDX-License-Identifier: GPL-3.0-or-later
#include "InspectorView.h"

#include "CaseExplanationPanel.h"

#include "service/CaseViewService.h"
#include "store/Study.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
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
    // A line kept for the hint, so the panels do not move down when a case has one and up when not.
    m_hint->setMinimumHeight(m_hint->fontMetrics().lineSpacing());

    // Side by side the two panels share the width equally and neither may be squeezed away; each
    // needs about 500 px (image and explanation columns of 240 px), so both fit at the default
    // 1280 × 800 window. Narrower, the comparison scrolls rather than clipping either panel.
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_panel);
    split->addWidget(m_compare);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    m_compare->hide();
    m_split = split;
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(split);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_hint);
    layout->addWidget(scroll, 1);

    // T shows the next overlay while the view has focus (the case field keeps its letters); the
    // comparison follows the first panel's choice.
    auto *toggle = new QShortcut(QKeySequence(Qt::Key_T), this);
    toggle->setContext(Qt::WidgetWithChildrenShortcut);
    connect(toggle, &QShortcut::activated, m_panel, &CaseExplanationPanel::cycleOverlay);
    connect(m_caseEdit, &QLineEdit::returnPressed, this, &InspectorView::openFromEdit);
    connect(m_open, &QPushButton::clicked, this, &InspectorView::openFromEdit);
    connect(m_runs, &QComboBox::activated, this, [this] {
        if (m_caseId)
            openCase(currentRun(), m_caseId);
    });
    connect(m_compareRuns, &QComboBox::currentIndexChanged, this, &InspectorView::showCompare);
    connect(m_panel, &CaseExplanationPanel::caseShown, this, [this](bool ok) {
        m_error = ok ? QString() : m_panel->error();
        m_hint->setText(m_error);
        if (!m_panel->caseKey().isEmpty())
            m_caseEdit->setText(m_panel->caseKey());
        Q_EMIT caseOpened(ok);
    });
    // The panels keep the same view options, so the comparison stays like for like.
    connect(m_panel, &CaseExplanationPanel::viewOptionsChanged, this, [this] {
        m_compare->overlayBox()->setCurrentIndex(m_panel->overlayBox()->currentIndex());
        m_compare->colourMapBox()->setCurrentIndex(m_panel->colourMapBox()->currentIndex());
        m_compare->opacitySlider()->setValue(m_panel->opacitySlider()->value());
    });
    m_runs->setObjectName(QStringLiteral("runBox"));
    m_compareRuns->setObjectName(QStringLiteral("compareBox"));
    m_caseEdit->setObjectName(QStringLiteral("caseEdit"));
    m_open->setObjectName(QStringLiteral("openButton"));
    m_hint->setObjectName(QStringLiteral("hintLabel"));
    m_panel->setObjectName(QStringLiteral("casePanel"));
    m_compare->setObjectName(QStringLiteral("comparePanel"));
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
        auto runs = lepton::CaseViewService(*m_study).runs();
        if (runs) {
            for (const lepton::RunChoice &run : runs.value()) {
                const QString text = tr("%1: %2 (%3)").arg(run.id).arg(run.name, run.status);
                m_runs->addItem(text, run.id);
                m_compareRuns->addItem(text, run.id);
            }
        } else {
            m_hint->setText(runs.error());
        }
    }
    const int i = m_runs->findData(keep);
    m_runs->setCurrentIndex(i >= 0 ? i : 0);
    const int j = m_compareRuns->findData(keepCompare);
    m_compareRuns->setCurrentIndex(j >= 0 ? j : 0);
    // The signals are blocked: a comparison run that has gone must not leave its pane standing.
    if (compareRun() == 0)
        m_compare->hide();
    m_caseEdit->setEnabled(m_runs->count() > 0);
    m_open->setEnabled(m_runs->count() > 0);
    if (m_study && m_runs->count() == 0)
        m_panel->clear(tr("No runs yet: train one in the Training view, then predict and explain it."));
}

qint64 InspectorView::currentRun() const
{
    return m_runs->currentIndex() >= 0 ? m_runs->currentData().toLongLong() : 0;
}

qint64 InspectorView::compareRun() const
{
    return m_compareRuns->currentIndex() >= 0 ? m_compareRuns->currentData().toLongLong() : 0;
}

void InspectorView::refreshCase(qint64 runId)
{
    if (!m_study || !m_caseId || currentRun() == 0)
        return;
    // Either pane may have said "no prediction" or "not explained yet" for a run that has just been
    // predicted; both are read again so the comparison stays like for like (same moment, same options).
    if (runId != 0 && runId != currentRun() && runId != compareRun())
        return;
    m_panel->showCase(m_study, currentRun(), m_caseId);
    showCompare();
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
    auto caseId = lepton::CaseViewService(*m_study).findCase(runId, caseKey);
    if (!caseId) {
        m_error = caseId.error();
        m_hint->setText(m_error);
        Q_EMIT errorOccurred(m_error);
        return false;
    }
    return openCase(runId, caseId.value());
}

bool InspectorView::openCase(qint64 runId, qint64 caseId)
{
    if (!m_study)
        return false;
    if (m_runs->findData(runId) < 0) {
        reload();
        if (m_runs->findData(runId) < 0) {
            m_error = tr("Run %1 is not in this study.").arg(runId);
            m_hint->setText(m_error);
            return false;
        }
    }
    m_runs->setCurrentIndex(m_runs->findData(runId));
    m_caseId = caseId;
    m_error.clear();
    m_hint->clear();
    m_panel->showCase(m_study, runId, caseId);
    showCompare();
    return true;
}

void InspectorView::setCompareRun(qint64 runId)
{
    const int i = m_compareRuns->findData(runId);
    m_compareRuns->setCurrentIndex(i >= 0 ? i : 0);
}

void InspectorView::showCompare()
{
    const qint64 other = compareRun();
    if ((other != 0) != m_compare->isVisibleTo(this)) {
        m_compare->setVisible(other != 0);
        // Opened beside the first, the comparison gets half the width, not what the splitter
        // remembered from before (or its narrow minimum).
        if (other != 0)
            m_split->setSizes({ 1000, 1000 });
    }
    if (other == 0 || !m_study || !m_caseId)
        return;
    m_compare->overlayBox()->setCurrentIndex(m_panel->overlayBox()->currentIndex());
    m_compare->showCase(m_study, other, m_caseId);
}
