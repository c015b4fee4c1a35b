// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "decision/DomainTemplate.h"
#include "util/Result.h"

#include <QDialog>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTableWidgetItem;

namespace lepton {
class Study;
class TemplateEditorService;
struct TemplateEditorData;
} // namespace lepton

/// Edits the domain template a run decides with, and shows live what it makes of the run's
/// validation predictions: the positive class, the rule (threshold, or minimise expected cost with
/// the cost of a missed positive and of a false alarm) and the rule in words, the grades, the
/// refer-to-review band, and per record field whether a counterfactual may change it (actionable,
/// immutable), its range (pre-filled with the data's 1st–99th percentile) and unit. Saves the
/// template as a file or applies it to the run (its stored decisions re-decided, audited).
///
/// The run is read once in the background (core/service/TemplateEditorService); every change is
/// then counted in memory. A template that would not load names the wrong entry below the form.
class TemplateEditorDialog : public QDialog
{
    Q_OBJECT
public:
    /// `actor`: who an applied change is recorded as in the audit log.
    TemplateEditorDialog(
        std::shared_ptr<lepton::Study> study, qint64 runId, const QString &actor, QWidget *parent = nullptr);
    ~TemplateEditorDialog() override;

    qint64 runId() const { return m_runId; }
    /// True until the run has been read.
    bool isLoading() const { return m_loading; }
    /// The template as edited; a failure names the entry that cannot be read ("grades row 2: …").
    lepton::Result<lepton::DomainTemplate> editedTemplate() const;
    /// The live line ("Validation: 212 decided abnormal, 88 normal, 14 referred · …").
    QString validationText() const;
    /// The problem shown below the form; empty when the template is valid.
    QString problem() const;

    /// Writes the edited template to `path` (what "Save as file…" does after asking for it).
    lepton::Status saveTo(const QString &path);
    /// Re-decides the run's stored predictions with the edited template after a confirmation that
    /// says how many decisions change ("Apply to run…"; the count is read in the background).
    void applyToRun();

Q_SIGNALS:
    /// The run has been read (or could not be: problem() says why).
    void loaded();
    /// The run's decisions were re-decided with the edited template.
    void applied(qint64 runId);

private:
    void onLoaded(const lepton::TemplateEditorData &data);
    void fill(const lepton::DomainTemplate &t);
    void fillGrades(const lepton::DomainTemplate &t);
    void fillFields(const lepton::DomainTemplate &t);
    void addGrade();
    void removeGrade();
    void onFieldItemChanged(QTableWidgetItem *item);
    /// Reads the form, previews it and updates the rule, the validation line and the problem.
    void refresh();
    void chooseFile();
    void confirmAndApply(const lepton::DomainTemplate &edited, int predictions, int changed, const QString &changes);
    void setProblem(const QString &text);

    std::shared_ptr<lepton::Study> m_study;
    qint64 m_runId;
    QString m_actor;
    std::unique_ptr<lepton::TemplateEditorService> m_service;
    lepton::DomainTemplate m_base; ///< what the form does not edit (description, labels, …)
    bool m_loading = true;
    bool m_filling = false;
    bool m_busy = false;

    QLabel *m_heading;
    QLineEdit *m_name;
    QComboBox *m_positive;
    QComboBox *m_rule;
    QDoubleSpinBox *m_threshold;
    QDoubleSpinBox *m_missCost;
    QDoubleSpinBox *m_falseAlarmCost;
    QLabel *m_ruleText;
    QLabel *m_validation;
    QTableWidget *m_grades;
    QPushButton *m_addGrade;
    QPushButton *m_removeGrade;
    QCheckBox *m_refer;
    QDoubleSpinBox *m_referLow;
    QDoubleSpinBox *m_referHigh;
    QTableWidget *m_fields;
    QLabel *m_problem;
    QPushButton *m_save;
    QPushButton *m_apply;
};
