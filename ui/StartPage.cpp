// SPDX-License-Identifier: GPL-3.0-or-later
#include "StartPage.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

StartPage::StartPage(QWidget *parent)
    : QWidget(parent),
      m_demo(new QPushButton(tr("Create the demo study"), this)),
      m_open(new QPushButton(tr("Open a study…"), this)),
      m_new(new QPushButton(tr("New empty study…"), this)),
      m_domain(new QComboBox(this)),
      m_cases(new QSpinBox(this)),
      m_recent(new QListWidget(this)),
      m_progress(new QProgressBar(this)),
      m_stage(new QLabel(this))
{
    m_demo->setObjectName(QStringLiteral("demoButton"));
    m_open->setObjectName(QStringLiteral("openButton"));
    m_new->setObjectName(QStringLiteral("newButton"));
    m_domain->setObjectName(QStringLiteral("domainBox"));
    m_cases->setObjectName(QStringLiteral("casesBox"));
    m_recent->setObjectName(QStringLiteral("recentList"));
    auto *title = new QLabel(tr("<h1>Lepton Workbench</h1>"
                                "<p>Train fusion models on images, records and event histories; see what "
                                "drove each prediction; review decisions with an audit trail.</p>"),
        this);
    title->setWordWrap(true);

    auto *demoBox = new QGroupBox(tr("New here? Start with the demo study"), this);
    auto *demoLayout = new QVBoxLayout(demoBox);
    auto *demoText = new QLabel(tr("A synthetic study whose label needs every modality: 128 px images with "
                                   "lesions, labs and vitals with their history (medical), or application "
                                   "fields with a monthly credit history (finance). It is generated here, "
                                   "imported into a new study and opened; nothing is downloaded."),
        demoBox);
    demoText->setWordWrap(true);
    demoLayout->addWidget(demoText);
    auto *form = new QFormLayout;
    m_domain->addItem(tr("Medical (images, labs, vitals history)"), QStringLiteral("medical"));
    m_domain->addItem(tr("Finance (application fields, credit history)"), QStringLiteral("finance"));
    form->addRow(tr("Domain"), m_domain);
    m_cases->setRange(50, 100000);
    m_cases->setSingleStep(500);
    m_cases->setValue(2000);
    m_cases->setSuffix(tr(" cases"));
    form->addRow(tr("Size"), m_cases);
    demoLayout->addLayout(form);
    m_demo->setDefault(true);
    m_demo->setToolTip(tr("Generate the demo data, import it and open the study (Ctrl+Shift+D)"));
    demoLayout->addWidget(m_demo);
    m_progress->setVisible(false);
    m_stage->setVisible(false);
    demoLayout->addWidget(m_stage);
    demoLayout->addWidget(m_progress);

    auto *studyBox = new QGroupBox(tr("Your studies"), this);
    auto *studyLayout = new QVBoxLayout(studyBox);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_open);
    buttons->addWidget(m_new);
    buttons->addStretch();
    studyLayout->addLayout(buttons);
    studyLayout->addWidget(new QLabel(tr("Recent (double-click or Enter to open):"), studyBox));
    studyLayout->addWidget(m_recent);

    auto *column = new QVBoxLayout;
    column->addWidget(title);
    column->addWidget(demoBox);
    column->addWidget(studyBox, 1);
    auto *outer = new QHBoxLayout(this);
    outer->addStretch(1);
    outer->addLayout(column, 3);
    outer->addStretch(1);

    connect(m_demo, &QPushButton::clicked, this,
        [this] { Q_EMIT createDemoRequested(m_domain->currentData().toString(), m_cases->value()); });
    connect(m_open, &QPushButton::clicked, this, &StartPage::openRequested);
    connect(m_new, &QPushButton::clicked, this, &StartPage::newRequested);
    connect(m_recent, &QListWidget::itemActivated, this,
        [this](QListWidgetItem *item) { Q_EMIT recentChosen(item->data(Qt::UserRole).toString()); });
}

void StartPage::setRecentStudies(const QStringList &paths)
{
    m_recent->clear();
    for (const QString &p : paths) {
        auto *item
            = new QListWidgetItem(QStringLiteral("%1 — %2").arg(QFileInfo(p).fileName(), QFileInfo(p).absolutePath()));
        item->setData(Qt::UserRole, p);
        item->setToolTip(p);
        m_recent->addItem(item);
    }
    if (paths.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No recent studies yet."));
        item->setFlags(Qt::NoItemFlags);
        m_recent->addItem(item);
    }
}

void StartPage::setBusy(bool busy, const QString &stage, int percent)
{
    for (QWidget *w : { static_cast<QWidget *>(m_demo), static_cast<QWidget *>(m_open), static_cast<QWidget *>(m_new),
             static_cast<QWidget *>(m_domain), static_cast<QWidget *>(m_cases) })
        w->setEnabled(!busy);
    m_progress->setVisible(busy);
    m_stage->setVisible(busy);
    m_stage->setText(stage);
    if (percent < 0)
        m_progress->setRange(0, 0);
    else {
        m_progress->setRange(0, 100);
        m_progress->setValue(percent);
    }
}

QString StartPage::demoDomain() const
{
    return m_domain->currentData().toString();
}

int StartPage::demoCases() const
{
    return m_cases->value();
}
