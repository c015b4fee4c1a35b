// SPDX-License-Identifier: GPL-3.0-or-later
#include "TemplateEditorDialog.h"

#include "service/BackgroundRead.h"
#include "service/TemplateEditorService.h"
#include "store/Study.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <utility>

using lepton::DomainTemplate;
using lepton::Result;
using lepton::Status;

namespace {

enum FieldColumn { FieldName, FieldType, FieldActionable, FieldImmutable, FieldMin, FieldMax, FieldUnit, FieldColumns };

/// A number typed in a table cell: "12.5", "12,5" (the user's locale) or "40 %". False: none.
bool parseNumber(QString text, double &value)
{
    text = text.trimmed();
    if (text.endsWith(QLatin1Char('%')))
        text = text.chopped(1).trimmed();
    bool ok = false;
    value = text.toDouble(&ok);
    if (!ok)
        value = QLocale().toDouble(text, &ok);
    return ok;
}

QString numberText(double v)
{
    return QString::number(v, 'g', 6);
}

QTableWidgetItem *readOnlyItem(const QString &text)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(item->flags() & ~Qt::ItemIsEditable);
    return item;
}

QTableWidgetItem *checkItem(bool checked)
{
    auto *item = new QTableWidgetItem;
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    return item;
}

QDoubleSpinBox *spinBox(const QString &objectName, double max, int decimals, const QString &suffix)
{
    auto *box = new QDoubleSpinBox;
    box->setObjectName(objectName);
    box->setRange(0.0, max);
    box->setDecimals(decimals);
    box->setSuffix(suffix);
    box->setKeyboardTracking(false);
    return box;
}

/// A label and a widget in a box of their own, so that both show or hide together.
QWidget *labelled(const QString &label, QWidget *widget)
{
    auto *box = new QWidget;
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(label));
    layout->addWidget(widget);
    return box;
}

} // namespace

TemplateEditorDialog::TemplateEditorDialog(
    std::shared_ptr<lepton::Study> study, qint64 runId, const QString &actor, QWidget *parent)
    : QDialog(parent), m_study(std::move(study)), m_runId(runId), m_actor(actor)
{
    setWindowTitle(tr("Template Editor — Run %1").arg(runId));
    setObjectName(QStringLiteral("templateEditor"));

    m_heading = new QLabel(tr("Reading run %1…").arg(runId));
    m_heading->setObjectName(QStringLiteral("templateHeading"));
    m_heading->setWordWrap(true);

    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("templateName"));
    m_positive = new QComboBox;
    m_positive->setObjectName(QStringLiteral("templatePositiveClass"));
    m_rule = new QComboBox;
    m_rule->setObjectName(QStringLiteral("templateRule"));
    m_rule->addItem(tr("Threshold"), static_cast<int>(DomainTemplate::Rule::Threshold));
    m_rule->addItem(tr("Minimise expected cost"), static_cast<int>(DomainTemplate::Rule::MinimiseExpectedCost));
    m_threshold = spinBox(QStringLiteral("templateThreshold"), 100.0, 1, QStringLiteral(" %"));
    m_threshold->setToolTip(tr("The positive class is decided when its probability is at least this"));
    m_missCost = spinBox(QStringLiteral("templateMissCost"), 1e6, 2, QString());
    m_missCost->setToolTip(tr("What deciding a positive case negative costs"));
    m_falseAlarmCost = spinBox(QStringLiteral("templateFalseAlarmCost"), 1e6, 2, QString());
    m_falseAlarmCost->setToolTip(tr("What deciding a negative case positive costs"));

    auto *ruleRow = new QHBoxLayout;
    ruleRow->addWidget(m_rule);
    ruleRow->addWidget(labelled(tr("positive from"), m_threshold));
    ruleRow->addWidget(labelled(tr("a missed positive costs"), m_missCost));
    ruleRow->addWidget(labelled(tr("a false alarm costs"), m_falseAlarmCost));
    ruleRow->addStretch(1);

    m_ruleText = new QLabel;
    m_ruleText->setObjectName(QStringLiteral("templateRuleText"));
    m_ruleText->setWordWrap(true);

    m_refer = new QCheckBox(tr("Refer to a person when p(positive) is from"));
    m_refer->setObjectName(QStringLiteral("templateRefer"));
    m_referLow = spinBox(QStringLiteral("templateReferLow"), 100.0, 1, QStringLiteral(" %"));
    m_referHigh = spinBox(QStringLiteral("templateReferHigh"), 100.0, 1, QStringLiteral(" %"));
    auto *referRow = new QHBoxLayout;
    referRow->addWidget(m_refer);
    referRow->addWidget(m_referLow);
    referRow->addWidget(new QLabel(tr("to")));
    referRow->addWidget(m_referHigh);
    referRow->addStretch(1);

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Positive class:"), m_positive);
    form->addRow(tr("Rule:"), ruleRow);
    form->addRow(tr("In words:"), m_ruleText);
    form->addRow(tr("Review:"), referRow);

    // Grades: name and upper bound of p(positive).
    m_grades = new QTableWidget(0, 2);
    m_grades->setObjectName(QStringLiteral("templateGrades"));
    m_grades->setHorizontalHeaderLabels({ tr("Grade"), tr("p(positive) below (%)") });
    m_grades->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_grades->verticalHeader()->setVisible(false);
    m_grades->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_addGrade = new QPushButton(tr("&Add Grade"));
    m_addGrade->setObjectName(QStringLiteral("templateAddGrade"));
    m_removeGrade = new QPushButton(tr("Re&move Grade"));
    m_removeGrade->setObjectName(QStringLiteral("templateRemoveGrade"));
    auto *gradeButtons = new QHBoxLayout;
    gradeButtons->addWidget(m_addGrade);
    gradeButtons->addWidget(m_removeGrade);
    gradeButtons->addStretch(1);
    auto *gradesBox = new QGroupBox(tr("Risk grades"));
    auto *gradesLayout = new QVBoxLayout(gradesBox);
    gradesLayout->addWidget(m_grades, 1);
    gradesLayout->addLayout(gradeButtons);

    // Record fields: what a counterfactual may change, within which range.
    m_fields = new QTableWidget(0, FieldColumns);
    m_fields->setObjectName(QStringLiteral("templateFields"));
    m_fields->setHorizontalHeaderLabels(
        { tr("Field"), tr("Type"), tr("Actionable"), tr("Immutable"), tr("Min"), tr("Max"), tr("Unit") });
    m_fields->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_fields->horizontalHeader()->setSectionResizeMode(FieldActionable, QHeaderView::ResizeToContents);
    m_fields->horizontalHeader()->setSectionResizeMode(FieldImmutable, QHeaderView::ResizeToContents);
    m_fields->verticalHeader()->setVisible(false);
    m_fields->setToolTip(tr("Actionable: a counterfactual may change the field. Immutable: it never may. The range "
                            "bounds the values a counterfactual proposes (pre-filled with the data's 1st–99th "
                            "percentile)."));
    auto *fieldsBox = new QGroupBox(tr("Record fields"));
    auto *fieldsLayout = new QVBoxLayout(fieldsBox);
    fieldsLayout->addWidget(m_fields);

    auto *tables = new QSplitter(Qt::Horizontal);
    tables->setChildrenCollapsible(false);
    tables->addWidget(gradesBox);
    tables->addWidget(fieldsBox);
    tables->setStretchFactor(0, 1);
    tables->setStretchFactor(1, 2);

    m_validation = new QLabel;
    m_validation->setObjectName(QStringLiteral("templateValidation"));
    m_validation->setWordWrap(true);
    m_validation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem = new QLabel;
    m_problem->setObjectName(QStringLiteral("templateProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->hide();

    m_save = new QPushButton(tr("&Save as File…"));
    m_save->setObjectName(QStringLiteral("templateSave"));
    m_apply = new QPushButton(tr("A&pply to Run…"));
    m_apply->setObjectName(QStringLiteral("templateApply"));
    m_apply->setToolTip(tr("Re-decide the run's stored predictions with this template (recorded in the audit log)"));
    auto *close = new QPushButton(tr("&Close"));
    close->setObjectName(QStringLiteral("templateClose"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_save);
    buttons->addWidget(m_apply);
    buttons->addStretch(1);
    buttons->addWidget(close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_heading);
    layout->addLayout(form);
    layout->addWidget(tables, 1);
    layout->addWidget(m_validation);
    layout->addWidget(m_problem);
    layout->addLayout(buttons);

    // Nothing can be edited until the run is read.
    for (QWidget *w :
        std::initializer_list<QWidget *> { m_name, m_positive, m_rule, m_threshold, m_missCost, m_falseAlarmCost,
            m_refer, m_referLow, m_referHigh, m_grades, m_addGrade, m_removeGrade, m_fields, m_save, m_apply })
        w->setEnabled(false);

    auto changed = [this] { refresh(); };
    connect(m_name, &QLineEdit::textChanged, this, changed);
    connect(m_positive, &QComboBox::currentIndexChanged, this, changed);
    connect(m_rule, &QComboBox::currentIndexChanged, this, changed);
    connect(m_threshold, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_missCost, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_falseAlarmCost, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_refer, &QCheckBox::toggled, this, changed);
    connect(m_referLow, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_referHigh, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_grades, &QTableWidget::itemChanged, this, changed);
    connect(m_fields, &QTableWidget::itemChanged, this, &TemplateEditorDialog::onFieldItemChanged);
    connect(m_addGrade, &QPushButton::clicked, this, &TemplateEditorDialog::addGrade);
    connect(m_removeGrade, &QPushButton::clicked, this, &TemplateEditorDialog::removeGrade);
    connect(m_save, &QPushButton::clicked, this, &TemplateEditorDialog::chooseFile);
    connect(m_apply, &QPushButton::clicked, this, &TemplateEditorDialog::applyToRun);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);

    resize(960, 660);

    lepton::TemplateEditorService::loadInBackground(
        m_study, this, m_runId, [this](const Result<lepton::TemplateEditorData> &data) {
            if (data) {
                onLoaded(data.value());
            } else {
                m_loading = false;
                m_heading->setText(tr("Run %1 cannot be read.").arg(m_runId));
                setProblem(data.error());
            }
            Q_EMIT loaded();
        });
}

TemplateEditorDialog::~TemplateEditorDialog() = default;

void TemplateEditorDialog::onLoaded(const lepton::TemplateEditorData &data)
{
    m_service = std::make_unique<lepton::TemplateEditorService>(data);
    m_loading = false;
    QString heading = tr("Run %1 (%2): %3 stored predictions; the line below counts those of the %4.")
                          .arg(data.runId)
                          .arg(data.runName)
                          .arg(data.storedPredictions)
                          .arg(data.split.isEmpty() ? tr("whole run") : tr("%1 split").arg(data.split));
    if (!data.fromDataProblem.isEmpty())
        heading += QLatin1Char(' ') + tr("The fields' ranges are not pre-filled: %1").arg(data.fromDataProblem);
    m_heading->setText(heading);

    m_filling = true;
    m_positive->clear();
    for (const QString &c : data.classes)
        m_positive->addItem(c, c);
    m_filling = false;

    for (QWidget *w : std::initializer_list<QWidget *> { m_name, m_positive, m_rule, m_threshold, m_missCost,
             m_falseAlarmCost, m_refer, m_grades, m_addGrade, m_removeGrade, m_fields, m_save })
        w->setEnabled(true);
    fill(m_service->initialTemplate());
}

void TemplateEditorDialog::fill(const DomainTemplate &t)
{
    m_base = t;
    m_filling = true;
    m_name->setText(t.name);
    const int positive = m_positive->findData(t.positiveClass);
    m_positive->setCurrentIndex(positive >= 0 ? positive : 0);
    m_rule->setCurrentIndex(m_rule->findData(static_cast<int>(t.rule)));
    m_threshold->setValue(t.threshold * 100.0);
    double miss = 1.0, falseAlarm = 1.0;
    const int p = t.positiveIndex();
    if (t.classes.size() == 2 && p >= 0 && t.cost.size() == 2 && t.cost[0].size() == 2 && t.cost[1].size() == 2) {
        const auto pi = static_cast<std::size_t>(p), ni = static_cast<std::size_t>(1 - p);
        miss = t.cost[pi][ni];
        falseAlarm = t.cost[ni][pi];
    }
    m_missCost->setValue(miss);
    m_falseAlarmCost->setValue(falseAlarm);
    m_refer->setChecked(t.abstainEnabled);
    m_referLow->setValue(t.abstainLow * 100.0);
    m_referHigh->setValue(t.abstainHigh * 100.0);
    fillGrades(t);
    fillFields(t);
    m_filling = false;
    refresh();
}

void TemplateEditorDialog::fillGrades(const DomainTemplate &t)
{
    const bool filling = std::exchange(m_filling, true);
    m_grades->setRowCount(0);
    for (const lepton::RiskGrade &g : t.grades) {
        const int row = m_grades->rowCount();
        m_grades->insertRow(row);
        m_grades->setItem(row, 0, new QTableWidgetItem(g.name));
        m_grades->setItem(row, 1, new QTableWidgetItem(numberText(g.below * 100.0)));
    }
    m_filling = filling;
}

void TemplateEditorDialog::fillFields(const DomainTemplate &t)
{
    const bool filling = std::exchange(m_filling, true);
    m_fields->setRowCount(0);
    const QStringList fields = m_service ? m_service->data().fields : QStringList();
    for (const QString &field : fields) {
        const int row = m_fields->rowCount();
        m_fields->insertRow(row);
        m_fields->setItem(row, FieldName, readOnlyItem(field));
        m_fields->setItem(row, FieldType, readOnlyItem(t.fields.value(field).type));
        m_fields->setItem(row, FieldActionable, checkItem(t.actionableFields.contains(field)));
        m_fields->setItem(row, FieldImmutable, checkItem(t.immutableFields.contains(field)));
        const auto range = t.ranges.constFind(field);
        m_fields->setItem(
            row, FieldMin, new QTableWidgetItem(range != t.ranges.cend() ? numberText(range->first) : QString()));
        m_fields->setItem(
            row, FieldMax, new QTableWidgetItem(range != t.ranges.cend() ? numberText(range->second) : QString()));
        m_fields->setItem(row, FieldUnit, new QTableWidgetItem(t.units.value(field)));
    }
    m_filling = filling;
}

void TemplateEditorDialog::addGrade()
{
    const int row = m_grades->rowCount();
    {
        const bool filling = std::exchange(m_filling, true);
        m_grades->insertRow(row);
        m_grades->setItem(row, 0, new QTableWidgetItem(tr("grade %1").arg(row + 1)));
        m_grades->setItem(row, 1, new QTableWidgetItem(numberText(100.0)));
        m_filling = filling;
    }
    m_grades->setCurrentCell(row, 0);
    m_grades->editItem(m_grades->item(row, 0));
    refresh();
}

void TemplateEditorDialog::removeGrade()
{
    const int row = m_grades->currentRow();
    if (row < 0)
        return;
    m_grades->removeRow(row);
    refresh();
}

void TemplateEditorDialog::onFieldItemChanged(QTableWidgetItem *item)
{
    if (m_filling || !item)
        return;
    // A field is actionable or immutable, never both: ticking one clears the other.
    const int column = item->column();
    if ((column == FieldActionable || column == FieldImmutable) && item->checkState() == Qt::Checked) {
        QTableWidgetItem *other
            = m_fields->item(item->row(), column == FieldActionable ? FieldImmutable : FieldActionable);
        if (other && other->checkState() == Qt::Checked) {
            const bool filling = std::exchange(m_filling, true);
            other->setCheckState(Qt::Unchecked);
            m_filling = filling;
        }
    }
    refresh();
}

Result<DomainTemplate> TemplateEditorDialog::editedTemplate() const
{
    using R = Result<DomainTemplate>;
    if (!m_service)
        return R::failure(tr("Run %1 has not been read yet.").arg(m_runId));
    DomainTemplate t = m_base;
    t.name = m_name->text().trimmed();
    t.positiveClass = m_positive->currentData().toString();
    t.rule = static_cast<DomainTemplate::Rule>(m_rule->currentData().toInt());
    t.threshold = m_threshold->value() / 100.0;
    const QStringList &classes = m_service->data().classes;
    if (classes.size() == 2) {
        const int p = static_cast<int>(classes.indexOf(t.positiveClass));
        if (p >= 0) {
            if (t.classes != classes || t.cost.size() != 2 || t.cost[0].size() != 2 || t.cost[1].size() != 2) {
                t.classes = classes;
                t.cost = { { 0.0, 1.0 }, { 1.0, 0.0 } };
            }
            const auto pi = static_cast<std::size_t>(p), ni = static_cast<std::size_t>(1 - p);
            t.cost[pi][ni] = m_missCost->value();
            t.cost[ni][pi] = m_falseAlarmCost->value();
        }
    }

    t.grades.clear();
    for (int row = 0; row < m_grades->rowCount(); ++row) {
        const QTableWidgetItem *name = m_grades->item(row, 0);
        const QTableWidgetItem *below = m_grades->item(row, 1);
        lepton::RiskGrade g;
        g.name = name ? name->text().trimmed() : QString();
        if (g.name.isEmpty())
            return R::failure(tr("grades row %1: give the grade a name").arg(row + 1));
        double value = 0.0;
        const QString text = below ? below->text() : QString();
        if (!parseNumber(text, value))
            return R::failure(
                tr("grades row %1 (%2): the upper bound \"%3\" is not a number; give a percentage such as 40")
                    .arg(row + 1)
                    .arg(g.name, text));
        g.below = value / 100.0;
        t.grades.push_back(g);
    }

    t.abstainEnabled = m_refer->isChecked();
    t.abstainLow = m_referLow->value() / 100.0;
    t.abstainHigh = m_referHigh->value() / 100.0;

    t.actionableFields.clear();
    t.immutableFields.clear();
    t.ranges.clear();
    t.units.clear();
    for (int row = 0; row < m_fields->rowCount(); ++row) {
        const QString field = m_fields->item(row, FieldName)->text();
        if (m_fields->item(row, FieldActionable)->checkState() == Qt::Checked)
            t.actionableFields.append(field);
        if (m_fields->item(row, FieldImmutable)->checkState() == Qt::Checked)
            t.immutableFields.append(field);
        const QString minText = m_fields->item(row, FieldMin)->text().trimmed();
        const QString maxText = m_fields->item(row, FieldMax)->text().trimmed();
        if (!minText.isEmpty() || !maxText.isEmpty()) {
            double lo = 0.0, hi = 0.0;
            if (minText.isEmpty() || maxText.isEmpty())
                return R::failure(
                    tr("fields row %1 (%2): give both a minimum and a maximum, or neither").arg(row + 1).arg(field));
            if (!parseNumber(minText, lo))
                return R::failure(
                    tr("fields row %1 (%2): the minimum \"%3\" is not a number").arg(row + 1).arg(field, minText));
            if (!parseNumber(maxText, hi))
                return R::failure(
                    tr("fields row %1 (%2): the maximum \"%3\" is not a number").arg(row + 1).arg(field, maxText));
            t.ranges.insert(field, { lo, hi });
        }
        const QString unit = m_fields->item(row, FieldUnit)->text().trimmed();
        if (!unit.isEmpty())
            t.units.insert(field, unit);
    }
    return t;
}

QString TemplateEditorDialog::validationText() const
{
    return m_validation->text();
}

QString TemplateEditorDialog::problem() const
{
    return m_problem->text();
}

void TemplateEditorDialog::setProblem(const QString &text)
{
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}

void TemplateEditorDialog::refresh()
{
    if (m_loading || m_filling || !m_service)
        return;
    const bool twoClasses = m_service->data().classes.size() == 2;
    const bool threshold = m_rule->currentData().toInt() == static_cast<int>(DomainTemplate::Rule::Threshold);
    // Only what the rule uses: the threshold, or the two costs (two classes; more classes decide
    // with the template's cost matrix or the most likely class).
    m_threshold->parentWidget()->setVisible(twoClasses && threshold);
    m_missCost->parentWidget()->setVisible(twoClasses && !threshold);
    m_falseAlarmCost->parentWidget()->setVisible(twoClasses && !threshold);
    m_referLow->setEnabled(m_refer->isChecked());
    m_referHigh->setEnabled(m_refer->isChecked());

    const QString prefix
        = m_service->data().split == QLatin1String("val") ? tr("Validation: ") : tr("All stored predictions: ");
    auto fail = [this, &prefix](const QString &problem) {
        m_ruleText->clear();
        m_validation->setText(prefix + tr("–"));
        setProblem(problem);
        m_save->setEnabled(false);
        m_apply->setEnabled(false);
    };
    auto edited = editedTemplate();
    if (!edited)
        return fail(edited.error());
    auto preview = m_service->preview(edited.value());
    if (!preview)
        return fail(preview.error());
    m_ruleText->setText(preview->rule);
    if (m_service->data().rows.empty())
        m_validation->setText(
            prefix + tr("no stored predictions yet; predict with the run first (Experiments ▸ Predict and explain…)"));
    else
        m_validation->setText(prefix + preview->summary());
    setProblem(QString());
    m_save->setEnabled(true);
    m_apply->setEnabled(!m_busy && m_service->data().storedPredictions > 0 && m_study && !m_study->isReadOnly());
}

Status TemplateEditorDialog::saveTo(const QString &path)
{
    auto edited = editedTemplate();
    if (!edited)
        return Status::failure(tr("%1: not saved: %2").arg(path, edited.error()));
    if (auto checked = m_service->validate(edited.value()); !checked)
        return Status::failure(tr("%1: not saved: %2").arg(path, checked.error()));
    return lepton::TemplateEditorService::saveAs(edited.value(), path);
}

void TemplateEditorDialog::chooseFile()
{
    auto edited = editedTemplate();
    const QString name = edited && !edited->name.isEmpty() ? edited->name : QStringLiteral("template");
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save the Template"), name + QStringLiteral(".json"), tr("Templates (*.json)"));
    if (path.isEmpty())
        return;
    if (const Status s = saveTo(path); !s)
        QMessageBox::warning(this, tr("Template not saved"), s.error());
    else
        m_heading->setText(tr("Saved as %1.").arg(QDir::toNativeSeparators(path)));
}

void TemplateEditorDialog::applyToRun()
{
    if (m_loading || m_busy || !m_service)
        return;
    auto edited = editedTemplate();
    if (!edited) {
        setProblem(edited.error());
        return;
    }
    if (auto checked = m_service->validate(edited.value()); !checked) {
        setProblem(checked.error());
        return;
    }
    m_busy = true;
    m_apply->setEnabled(false);
    m_apply->setText(tr("Counting…"));
    const DomainTemplate chosen = edited.value();
    const qint64 runId = m_runId;
    lepton::readInBackground<lepton::RedecideOutcome>(
        m_study, this,
        [runId, chosen](lepton::Study &s) { return lepton::TemplateEditorService::previewApply(s, runId, chosen); },
        [this, chosen](const Result<lepton::RedecideOutcome> &outcome) {
            m_busy = false;
            m_apply->setText(tr("A&pply to Run…"));
            refresh();
            if (!outcome) {
                setProblem(outcome.error());
                return;
            }
            QStringList changes;
            for (auto it = outcome->changedTo.cbegin(); it != outcome->changedTo.cend(); ++it)
                changes.append(tr("%1 to %2").arg(it.value()).arg(it.key()));
            confirmAndApply(chosen, outcome->predictions, outcome->changed, changes.join(QStringLiteral(", ")));
        });
}

void TemplateEditorDialog::confirmAndApply(
    const DomainTemplate &edited, int predictions, int changed, const QString &changes)
{
    QString question = tr("Re-decide %1 stored predictions of run %2 with this template? %3 decisions change.")
                           .arg(predictions)
                           .arg(m_runId)
                           .arg(changed);
    if (!changes.isEmpty())
        question += QStringLiteral(" (%1)").arg(changes);
    question += QLatin1Char(' ') + tr("This is recorded in the audit log.");
    if (QMessageBox::question(
            this, tr("Apply the template"), question, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        != QMessageBox::Yes)
        return;
    auto outcome = lepton::TemplateEditorService::apply(*m_study, m_runId, edited, m_actor, QStringLiteral("editor"));
    if (!outcome) {
        setProblem(outcome.error());
        return;
    }
    if (auto bound = m_service->validate(edited))
        m_service->markApplied(bound.value());
    m_heading->setText(tr("Run %1 re-decided with this template: %2 of %3 decisions changed.")
                           .arg(m_runId)
                           .arg(outcome->changed)
                           .arg(outcome->predictions));
    refresh();
    Q_EMIT applied(m_runId);
}
