// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "service/ReviewService.h"
#include "util/Result.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class BackgroundTask;
class CaseExplanationPanel;
class LatestRead;
class ReviewQueueModel;
class QComboBox;
class QDialog;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableView;

namespace lepton {
class Study;
}

/// The reviewer's view: a run's predicted cases as a queue (filters: unreviewed, referred to
/// review, disagreement with the label, decision, confidence band; a sort), "n of m reviewed"
/// (accepted or overridden: a comment alone does not review a case), the run's rule in words,
/// and for the current case the explanation in compact form with Accept (A: the decision is
/// right), Override (O: any class but the decision, and a reason), Comment (C), Next (N) and
/// Previous (P). Every review is stored
/// with who, when, what was seen and the verdict, and written to the audit log. The queue
/// resumes where the reviewer left it. The view reads and writes nothing itself: the core's
/// ReviewService and ReviewReportService do, and the case is read off the GUI thread.
class ReviewView : public QWidget
{
    Q_OBJECT
public:
    explicit ReviewView(QWidget *parent = nullptr);

    void setStudy(std::shared_ptr<lepton::Study> study);
    void reload();
    /// Off in tests: no modal message boxes (the override and comment dialogs still open, but
    /// never block).
    void setInteractive(bool on) { m_interactive = on; }
    void setReviewer(const QString &name);
    QString reviewer() const;

    /// Shows a run's queue and goes to where the reviewer left it (else the first unreviewed).
    void selectRun(qint64 runId);
    qint64 currentRun() const;
    qint64 currentPrediction() const;
    int currentRow() const;
    /// True while the run's queue is being read (off the GUI thread); queueShown() follows.
    bool isLoading() const;

    /// Each stores a verdict on the current case (accept and override then go to the next one);
    /// a failure says why and is also shown.
    lepton::Status accept();
    lepton::Status overrideCurrent(const QString &chosenClass, const QString &reason);
    lepton::Status comment(const QString &text);
    void next();
    void previous();
    /// Opens the override (or comment) dialog, as O (or C) does; the dialog saves on OK.
    QDialog *openOverrideDialog();
    QDialog *openCommentDialog();
    QDialog *pendingDialog() const { return m_dialog; }
    /// The review report of the queue as shown (filters and sort), as CSV or PDF; recorded in
    /// the audit log. A failure says why (e.g. the file cannot be written).
    lepton::Status exportCsv(const QString &path) { return exportReport(path, false); }
    lepton::Status exportPdf(const QString &path) { return exportReport(path, true); }
    /// The same report written on a worker thread (the export buttons use it); exportFinished()
    /// follows. False, and nothing started, while another export runs or without a run.
    bool startExport(const QString &path, bool pdf);
    bool isExporting() const;

    ReviewQueueModel *queueModel() const { return m_model; }
    QTableView *queueView() const { return m_view; }
    CaseExplanationPanel *panel() const { return m_panel; }
    QComboBox *runBox() const { return m_runs; }
    QComboBox *statusBox() const { return m_status; }
    QComboBox *decisionBox() const { return m_decision; }
    QComboBox *bandBox() const { return m_band; }
    QComboBox *sortBox() const { return m_sort; }
    QLabel *progressLabel() const { return m_progressText; }
    /// The run's rule in words ("Rule: abnormal when p(abnormal) ≥ 4.8 %: …").
    QLabel *ruleLabel() const { return m_rule; }
    QListWidget *historyList() const { return m_history; }
    QPushButton *acceptButton() const { return m_accept; }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void reviewSaved(qint64 reviewId);
    /// The queue asked for (run, filters, sort) is shown, at the case the reviewer resumes with.
    void queueShown();
    /// An export started by startExport() ended; a failure says why (and has been shown).
    void exportFinished(bool ok, const QString &message);

private:
    /// Accept, Override and Comment: disabled (with the reason) on a study open read-only.
    void updateDecisionButtons();
    /// Names the confidence bands by the class whose probability they are of.
    void nameBands(const QString &positiveClass);
    lepton::ReviewFilter currentFilter() const;
    lepton::Status exportReport(const QString &path, bool pdf);
    void applyFilter();
    void showCurrent();
    void updateProgress();
    void showProgress(int reviewed, int predictions);
    lepton::Status save(const lepton::ReviewVerdict &verdict);
    /// Shows a failure: errorOccurred(), and a message box when interactive.
    void showError(const QString &message);
    /// showError() and the failure as a Status.
    lepton::Status fail(const QString &message);
    void rememberPosition();
    void goToRow(int row);

    std::shared_ptr<lepton::Study> m_study;
    bool m_interactive = true;
    QComboBox *m_runs;
    QComboBox *m_status;
    QComboBox *m_decision;
    QComboBox *m_band;
    QComboBox *m_sort;
    QLineEdit *m_reviewer;
    QLabel *m_progressText;
    QLabel *m_rule;
    QProgressBar *m_progress;
    ReviewQueueModel *m_model;
    LatestRead *m_queueRead;
    BackgroundTask *m_export;
    QTableView *m_view;
    CaseExplanationPanel *m_panel;
    QListWidget *m_history;
    QPushButton *m_accept;
    QPushButton *m_override;
    QPushButton *m_comment;
    QPushButton *m_prev;
    QPushButton *m_next;
    QPointer<QDialog> m_dialog;
};
