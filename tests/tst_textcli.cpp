// SPDX-License-Identifier: GPL-3.0-or-later
// The text modality as a user meets it on the command line: a demo with notes, imported (the note
// column inferred as text), trained as a four-input model, explained word by word, measured, and
// exported with its tokenizer; and a note column forced to categorical, which trains without text.
#include "CliRun.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using clitest::lepton;
using clitest::Run;

class TestTextCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void notesTrainExplainAndExport();
    void notesForcedToCategoriesTrainWithoutText();
    void aTicketExportWithItsOwnColumnsTrainsOnItsText();

private:
    QTemporaryDir m_dir;
    QString m_data, m_config;
};

void TestTextCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = m_dir.filePath(QStringLiteral("finance"));
    const Run r = lepton({ QStringLiteral("demo-data"), QStringLiteral("--domain"), QStringLiteral("finance"),
        QStringLiteral("--cases"), QStringLiteral("240"), QStringLiteral("--notes"), QStringLiteral("--out"), m_data });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QFile manifest(m_data + QStringLiteral("/manifest.csv"));
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const QString header = QString::fromUtf8(manifest.readLine()).trimmed();
    QVERIFY2(header.endsWith(QStringLiteral(",note")), qPrintable(header));
    // The ground truth names each case's planted and denied words.
    QFile truth(m_data + QStringLiteral("/ground_truth.json"));
    QVERIFY(truth.open(QIODevice::ReadOnly));
    const QJsonObject gt = QJsonDocument::fromJson(truth.readAll()).object();
    const QJsonArray cases = gt.value(QStringLiteral("case_list")).toArray();
    QCOMPARE(cases.size(), 240);
    int withWords = 0, withDenials = 0;
    for (const QJsonValue &c : cases) {
        withWords += c.toObject().value(QStringLiteral("causal_words")).toArray().isEmpty() ? 0 : 1;
        withDenials += c.toObject().value(QStringLiteral("negated_words")).toArray().isEmpty() ? 0 : 1;
    }
    QVERIFY2(withWords > 60 && withDenials > 60, qPrintable(QStringLiteral("%1 %2").arg(withWords).arg(withDenials)));
    m_config = m_dir.filePath(QStringLiteral("small.json"));
    QFile f(m_config);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"epochs": 2, "batch_size": 16, "text": {"vocab_size": 300},)"
            R"( "model": {"embed_dim": 16, "hidden": 16, "text_heads": 2}})");
}

void TestTextCli::notesTrainExplainAndExport()
{
    const QString study = m_dir.filePath(QStringLiteral("notes.lepton"));
    Run r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
        m_data + QStringLiteral("/manifest.csv"), QStringLiteral("--events"), m_data + QStringLiteral("/events.csv") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), m_config, QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.err.contains(QStringLiteral("Text: 'note', a tokenizer of")), qPrintable(r.err));
    const QJsonObject outcome = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(outcome.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    const QString run = QString::number(outcome.value(QStringLiteral("run_id")).toInt());

    // The four modalities, the note's top words and its counterfactual sentence search.
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--case"),
        QStringLiteral("A00003") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("modality attention: image 0.00, record"))
            && r.out.contains(QStringLiteral(", text ")),
        qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("note words, p(")) || r.out.contains(QStringLiteral("note: none")),
        qPrintable(r.out));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--case"),
        QStringLiteral("A00003"), QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject e = QJsonDocument::fromJson(r.out.toUtf8()).object();
    const QJsonObject text = e.value(QStringLiteral("text")).toObject();
    QVERIFY2(text.contains(QStringLiteral("words")) && text.contains(QStringLiteral("counterfactual")),
        qPrintable(r.out.left(400)));

    // The faithfulness report scores planted words against their chance level.
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), run, QStringLiteral("--report"),
        QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QVERIFY(report.value(QStringLiteral("text_cases")).toInt() > 0);
    for (const char *key : { "words_at_k_ig", "words_at_k_occlusion", "words_at_k_chance", "affirmed_word_ig",
             "negated_word_ig", "affirmed_word_occlusion", "negated_word_occlusion" })
        QVERIFY2(report.value(QLatin1String(key)).isDouble(), key);
    const double chance = report.value(QStringLiteral("words_at_k_chance")).toDouble();
    QVERIFY2(chance > 0.0 && chance < 1.0, qPrintable(QString::number(chance)));

    // Export: the TorchScript model and its tokenizer beside it, both in the audit log.
    const QString pt = m_dir.filePath(QStringLiteral("notes-model.pt"));
    r = lepton({ QStringLiteral("export"), study, QStringLiteral("--run"), run, QStringLiteral("--torchscript"), pt });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(pt));
    const QString spm = m_dir.filePath(QStringLiteral("notes-model.tokenizer.model"));
    QVERIFY2(QFile::exists(spm), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("tokenizer")), qPrintable(r.out));
    QVERIFY(QFileInfo(spm).size() > 1000);
}

void TestTextCli::notesForcedToCategoriesTrainWithoutText()
{
    const QString study = m_dir.filePath(QStringLiteral("categories.lepton"));
    Run r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
        m_data + QStringLiteral("/manifest.csv"), QStringLiteral("--field-type"), QStringLiteral("note=categorical") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), m_config, QStringLiteral("--json") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(!r.err.contains(QStringLiteral("Text: ")), qPrintable(r.err));
    // The text-only variant then has nothing to read, and says what to do.
    r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), m_config, QStringLiteral("--fusion"),
        QStringLiteral("text") });
    QCOMPARE(r.code == 0, false);
    QVERIFY2(r.err.contains(QStringLiteral("--field-type NAME=text")), qPrintable(r.err));
}

void TestTextCli::aTicketExportWithItsOwnColumnsTrainsOnItsText()
{
    // Not the demo: its own id and label columns, a spaced column name, notes in German, English
    // and French with quotes and an emoji, every 13th note empty.
    const QString study = m_dir.filePath(QStringLiteral("tickets.lepton"));
    Run r = lepton({ QStringLiteral("import"), study, QStringLiteral("--manifest"),
        QStringLiteral(LEPTON_TEST_DATA "/tickets-multilingual.csv"), QStringLiteral("--id-col"),
        QStringLiteral("TicketID"), QStringLiteral("--label-col"), QStringLiteral("Outcome") });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    r = lepton({ QStringLiteral("train"), study, QStringLiteral("--config"), m_config });
    QVERIFY2(r.code == 0, qPrintable(r.err + r.out));
    QVERIFY2(r.err.contains(QStringLiteral("Text: 'Complaint Text'")), qPrintable(r.err));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), QStringLiteral("1"),
        QStringLiteral("--case"), QStringLiteral("T0013") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("p(churned)")) && r.out.contains(QStringLiteral("note: none")),
        qPrintable(r.out));
    r = lepton({ QStringLiteral("explain"), study, QStringLiteral("--run"), QStringLiteral("1"),
        QStringLiteral("--case"), QStringLiteral("T0003") });
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("note words, p(churned) minus p without the word")), qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestTextCli)
#include "tst_textcli.moc"
