// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

#include <memory>

class CaseExplanationPanel;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSplitter;

namespace lepton {
class Study;
}

/// The Inspector: one case as a run explained it (see CaseExplanationPanel), picked by run and
/// case id or opened from another view; optionally the same case under a second run, side by side.
/// It reads nothing itself: the core's CaseViewService finds cases and lists runs, and the panels
/// read cases off the GUI thread.
class InspectorView : public QWidget
{
    Q_OBJECT
public:
    explicit InspectorView(QWidget *parent = nullptr);

    void setStudy(std::shared_ptr<lepton::Study> study);
    /// Re-reads the runs (after training or prediction).
    void reload();
    /// Reads the shown case again under both runs when `runId` is one of them (0: whichever), so
    /// that predictions or explanations stored since it was opened show in both panes, not only
    /// after the next Open.
    void refreshCase(qint64 runId = 0);
    /// Shows a case under a run (and under the comparison run, when one is chosen); the case is
    /// read off the GUI thread and caseOpened() follows. False at once when the run is not in
    /// the study (error() says so).
    bool openCase(qint64 runId, qint64 caseId);
    /// Looks the case up by its id in the manifest (in the run's dataset, else any dataset) and
    /// opens it; false with errorOccurred() when there is no such case.
    bool openCaseKey(qint64 runId, const QString &caseKey);
    /// Compares with a second run (0: none).
    void setCompareRun(qint64 runId);
    qint64 currentRun() const;
    qint64 currentCase() const { return m_caseId; }
    QString error() const { return m_error; }

    CaseExplanationPanel *panel() const { return m_panel; }
    CaseExplanationPanel *comparePanel() const { return m_compare; }
    QComboBox *runBox() const { return m_runs; }
    QComboBox *compareBox() const { return m_compareRuns; }
    QLineEdit *caseEdit() const { return m_caseEdit; }

Q_SIGNALS:
    void errorOccurred(const QString &message);
    /// The case asked for by openCase() is shown (ok), or the view says why not (error()).
    void caseOpened(bool ok);

private:
    void openFromEdit();
    void showCompare();
    qint64 compareRun() const;

    std::shared_ptr<lepton::Study> m_study;
    QComboBox *m_runs;
    QComboBox *m_compareRuns;
    QLineEdit *m_caseEdit;
    QPushButton *m_open;
    QLabel *m_hint;
    CaseExplanationPanel *m_panel;
    CaseExplanationPanel *m_compare;
    QSplitter *m_split = nullptr;
    qint64 m_caseId = 0;
    QString m_error;
};
