// SPDX-License-Identifier: GPL-3.0-or-later
// The text modality: the field type, the tokenizer, notes in batches, the text encoder, its
// explanations (negation) and the TorchScript export of a text model.
#include "PythonParity.h"

#include "data/FieldType.h"
#include "data/Importer.h"
#include "dataset/MultimodalDataset.h"
#include "dataset/TextTokenizer.h"
#include "explain/DecisionSetup.h"
#include "explain/Explainer.h"
#include "metrics/Metrics.h"
#include "model/TorchScriptExport.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"
#include "train/TrainedModel.h"
#include "train/Trainer.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <torch/script.h>

#include <cmath>
#include <csignal>
#include <numeric>
#include <optional>

using namespace lepton;

namespace {

/// Notes whose label is "fever affirmed": "reports fever" is positive, "denies fever" is not, and
/// other symptoms are affirmed or denied on both sides, so that neither the word nor the verb
/// alone decides. A tenth of the notes are empty (label by parity).
struct NoteCase
{
    QString note;
    bool positive = false;
    int fever = 0; ///< +1 affirmed, -1 denied, 0 not mentioned
};

NoteCase noteCase(int i)
{
    static const QStringList affirm = { QStringLiteral("Pt reports %1 for 3 days."),
        QStringLiteral("Complains of %1 since yesterday."), QStringLiteral("Ongoing %1 overnight.") };
    static const QStringList deny
        = { QStringLiteral("Denies %1."), QStringLiteral("No %1 reported."), QStringLiteral("Not %1 today.") };
    static const QStringList filler = { QStringLiteral("Seen on the ward round."),
        QStringLiteral("Observations recorded."), QStringLiteral("Plan discussed with family.") };
    NoteCase c;
    std::uint64_t s = 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(i + 1);
    auto next = [&](int n) {
        s ^= s >> 31;
        s *= 0xBF58476D1CE4E5B9ULL;
        s ^= s >> 29;
        return static_cast<int>(s % static_cast<std::uint64_t>(n));
    };
    if (i % 10 == 9) {
        c.positive = (i / 10) % 2 == 1;
        return c;
    }
    QStringList sentences;
    c.fever = next(3) - 1;
    if (c.fever > 0)
        sentences.append(affirm.at(next(3)).arg(QStringLiteral("fever")));
    else if (c.fever < 0)
        sentences.append(deny.at(next(3)).arg(QStringLiteral("fever")));
    const QString other = next(2) ? QStringLiteral("cough") : QStringLiteral("headache");
    if (next(2))
        sentences.insert(next(2) ? 0 : static_cast<int>(sentences.size()), affirm.at(next(3)).arg(other));
    else
        sentences.append(deny.at(next(3)).arg(other));
    sentences.insert(next(static_cast<int>(sentences.size()) + 1), filler.at(next(3)));
    c.note = sentences.join(QLatin1Char(' '));
    c.positive = c.fever > 0;
    return c;
}

/// The first 40 notes of noteCase(), to train a tokenizer on.
QStringList noteCorpus()
{
    QStringList corpus;
    for (int i = 0; i < 40; ++i)
        corpus.append(noteCase(i).note);
    return corpus;
}

QString csvQuoted(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

} // namespace

class TestText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void freeTextIsInferredAsText_data();
    void freeTextIsInferredAsText();
    void tokenizerKeepsUnicode();
    void tokenizerKeepsTheFirstTokens();
    void tokenizerRoundTripsItsModel();
    void tokenizerRefusesTooLittleText();
    void tokenizerHelperThatStopsIsStartedAgain();
    void missingOrFailingHelperIsAnError();
    void notesBecomeTokensAndEmptyNotesAreMissing();
    void textModelLearnsAndExplainsNegation();
    void textModelExportsToTorchScript();
    void gruTextEncoderReadsOnlyTheNoteAndExports();
    void tokenDropoutOnlyInTraining();
    void textSettingsAreChecked();

private:
    QTemporaryDir m_dir;
    std::shared_ptr<Study> m_study;
    qint64 m_dataset = 0;
    std::optional<TrainedModel> m_model;
};

void TestText::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QByteArray m = "case_id,label,age,note\n";
    for (int i = 0; i < 320; ++i) {
        const NoteCase c = noteCase(i);
        m += QStringLiteral("N%1,%2,%3,%4\n")
                 .arg(i)
                 .arg(c.positive ? QStringLiteral("pos") : QStringLiteral("neg"))
                 .arg(40 + i % 37)
                 .arg(c.note.isEmpty() ? QString() : csvQuoted(c.note))
                 .toUtf8();
    }
    QFile f(m_dir.filePath(QStringLiteral("notes.csv")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(m);
    f.close();
    ImportOptions o;
    o.manifestPath = f.fileName();
    auto out = Importer::run(o);
    QVERIFY2(out.dataset, qPrintable(out.report.toText()));
    auto s = Study::open(m_dir.filePath(QStringLiteral("notes.lepton")), Study::Mode::CreateOrOpen);
    QVERIFY2(s, qPrintable(s.error()));
    m_study = s.value();
    auto id = DatasetRepository(*m_study).save(*out.dataset, out.report);
    QVERIFY2(id, qPrintable(id.error()));
    m_dataset = id.value();

    TrainConfig c;
    c.model.fusion = FusionVariant::Text;
    c.model.embedDim = 16;
    c.model.hidden = 16;
    c.model.textHeads = 2;
    c.textVocabSize = 120;
    c.epochs = 25;
    c.batchSize = 16;
    c.learningRate = 5e-3;
    c.workers = 1;
    c.threads = 1;
    c.patience = 0;
    c.device = QStringLiteral("cpu");
    auto run = Trainer::train(*m_study, m_dataset, c, {});
    QVERIFY2(run, qPrintable(run.error()));
    auto model = TrainedModel::load(*m_study, run->runId, QStringLiteral("cpu"));
    QVERIFY2(model, qPrintable(model.error()));
    m_model = model.value();
}

void TestText::freeTextIsInferredAsText_data()
{
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<int>("type");
    QStringList notes;
    for (int i = 0; i < 12; ++i)
        notes.append(QStringLiteral("Patient %1 reports a cough since yesterday.").arg(i));
    QTest::newRow("notes") << notes << int(FieldType::Text);
    QStringList repeated;
    for (int i = 0; i < 12; ++i)
        repeated.append(QStringLiteral("emergency department"));
    QTest::newRow("one phrase repeated is a category") << repeated << int(FieldType::Categorical);
    QStringList shortWords;
    for (int i = 0; i < 12; ++i)
        shortWords.append(QStringLiteral("ward %1").arg(i));
    QTest::newRow("short distinct labels are categories") << shortWords << int(FieldType::Categorical);
    QTest::newRow("too few values") << notes.mid(0, 5) << int(FieldType::Categorical);
}

void TestText::freeTextIsInferredAsText()
{
    QFETCH(QStringList, values);
    QFETCH(int, type);
    QCOMPARE(int(inferFieldType(values)), type);
    QCOMPARE(fieldTypeFromName(QStringLiteral("text")), std::optional<FieldType>(FieldType::Text));
    QCOMPARE(fieldTypeName(FieldType::Text), QStringLiteral("text"));
    QVERIFY(!parseAs(FieldType::Text, QStringLiteral("12")));
}

void TestText::tokenizerKeepsUnicode()
{
    QStringList corpus;
    for (int i = 0; i < 60; ++i)
        corpus.append(noteCase(i).note + QStringLiteral(" Température %1 °C, fièvre.").arg(37 + i % 3));
    TokenizerOptions o;
    o.vocabSize = 150;
    auto t = TextTokenizer::train(corpus, o);
    QVERIFY2(t, qPrintable(t.error()));
    // CJK and an emoji never seen in training: byte pieces, not the unknown piece, and every
    // character of the text is covered by a token's span.
    const QString text = QStringLiteral("Fièvre 发烧 😷 denies fever");
    const std::vector<TextToken> tokens = t.value()->encode(text);
    QVERIFY(!tokens.empty());
    std::vector<char> covered(static_cast<std::size_t>(text.size()), 0);
    for (const TextToken &tok : tokens) {
        QVERIFY2(tok.id != TextTokenizer::UnknownId, qPrintable(t.value()->piece(tok.id)));
        QVERIFY(tok.id != TextTokenizer::PadId);
        QVERIFY(tok.begin >= 0 && tok.begin <= tok.end && tok.end <= text.size());
        for (int k = tok.begin; k < tok.end; ++k)
            covered[static_cast<std::size_t>(k)] = 1;
    }
    for (int k = 0; k < text.size(); ++k)
        if (text.at(k) != QLatin1Char(' '))
            QVERIFY2(
                covered[static_cast<std::size_t>(k)], qPrintable(QStringLiteral("character %1 not covered").arg(k)));
    // The emoji (a surrogate pair) is inside one token span, whole.
    const int emoji = static_cast<int>(text.indexOf(QStringLiteral("😷")));
    bool emojiWhole = false;
    for (const TextToken &tok : tokens)
        emojiWhole = emojiWhole || (tok.begin <= emoji && tok.end >= emoji + 2);
    QVERIFY(emojiWhole);
    // Case folding: "Fever" and "fever" are the same tokens.
    std::vector<int> a, b;
    for (const TextToken &tok : t.value()->encode(QStringLiteral("Denies Fever.")))
        a.push_back(tok.id);
    for (const TextToken &tok : t.value()->encode(QStringLiteral("denies fever.")))
        b.push_back(tok.id);
    QCOMPARE(a, b);
}

void TestText::tokenizerKeepsTheFirstTokens()
{
    const QStringList corpus = noteCorpus();
    auto t = TextTokenizer::train(corpus, TokenizerOptions());
    QVERIFY2(t, qPrintable(t.error()));
    const QString text = QStringLiteral("Pt reports fever for 3 days. Denies cough. Seen on the ward round.");
    const std::vector<TextToken> all = t.value()->encode(text);
    const std::vector<TextToken> first = t.value()->encode(text, 5);
    QVERIFY(all.size() > 5);
    QCOMPARE(first.size(), std::size_t(5));
    for (std::size_t i = 0; i < first.size(); ++i) {
        QCOMPARE(first[i].id, all[i].id);
        QCOMPARE(first[i].begin, all[i].begin);
    }
    QCOMPARE(t.value()->encode(QString()).size(), std::size_t(0));
    // Ids without spans (what a dataset asks for) are the same ids, cut the same way.
    const auto ids = t.value()->encodeAll({ text, QString(), text }, 5, false);
    QVERIFY2(ids, qPrintable(ids.error()));
    QCOMPARE(ids.value()[1].size(), std::size_t(0));
    for (const std::size_t k : { std::size_t(0), std::size_t(2) }) {
        QCOMPARE(ids.value()[k].size(), first.size());
        for (std::size_t i = 0; i < first.size(); ++i)
            QCOMPARE(ids.value()[k][i].id, first[i].id);
    }
    // The default tokenizer keeps the notes' words whole (a word split into letters would make
    // a note several times longer and cut it at the token limit).
    QCOMPARE(t.value()->encode(QStringLiteral("Denies fever.")).size(), std::size_t(3));
}

void TestText::tokenizerRoundTripsItsModel()
{
    const QStringList corpus = noteCorpus();
    TokenizerOptions o;
    o.modelType = QStringLiteral("bpe");
    o.vocabSize = 100;
    auto t = TextTokenizer::train(corpus, o);
    QVERIFY2(t, qPrintable(t.error()));
    // 100 asked: raised to the 256 byte pieces plus the characters of the text and a few.
    QVERIFY2(t.value()->vocabSize() > 256 && t.value()->vocabSize() < 400,
        qPrintable(QString::number(t.value()->vocabSize())));
    auto again = TextTokenizer::fromModel(t.value()->model());
    QVERIFY2(again, qPrintable(again.error()));
    const QString text = QStringLiteral("Complains of headache since yesterday.");
    const auto x = t.value()->encode(text), y = again.value()->encode(text);
    QCOMPARE(x.size(), y.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        QCOMPARE(x[i].id, y[i].id);
    auto broken = TextTokenizer::fromModel(QByteArrayLiteral("not a model"));
    QVERIFY(!broken);
    QVERIFY2(broken.error().contains(QStringLiteral("tokenizer")), qPrintable(broken.error()));
}

void TestText::tokenizerRefusesTooLittleText()
{
    auto t = TextTokenizer::train({ QString(), QStringLiteral("  ") }, TokenizerOptions());
    QVERIFY(!t);
    QVERIFY2(t.error().contains(QStringLiteral("non-empty")), qPrintable(t.error()));
    TokenizerOptions o;
    o.modelType = QStringLiteral("word2vec");
    auto bad = TextTokenizer::train({ QStringLiteral("a b"), QStringLiteral("c d") }, o);
    QVERIFY(!bad);
    QVERIFY2(bad.error().contains(QStringLiteral("unigram or bpe")), qPrintable(bad.error()));
}

void TestText::tokenizerHelperThatStopsIsStartedAgain()
{
    const QStringList corpus = noteCorpus();
    auto t = TextTokenizer::train(corpus, TokenizerOptions());
    QVERIFY2(t, qPrintable(t.error()));
    const QString text = QStringLiteral("Pt reports fever for 3 days. Denies cough.");
    const std::vector<TextToken> before = t.value()->encode(text);
    QVERIFY(!before.empty());
    const qint64 pid = t.value()->helperProcessId();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
    // The killed helper is replaced by a new one with the same model: the same tokens.
    const auto after = t.value()->encodeAll({ text, text });
    QVERIFY2(after, qPrintable(after.error()));
    QVERIFY(t.value()->helperProcessId() > 0);
    QVERIFY(t.value()->helperProcessId() != pid);
    for (const auto &tokens : after.value()) {
        QCOMPARE(tokens.size(), before.size());
        for (std::size_t i = 0; i < tokens.size(); ++i)
            QCOMPARE(tokens[i].id, before[i].id);
    }
}

void TestText::missingOrFailingHelperIsAnError()
{
    const QStringList corpus = noteCorpus();
    auto t = TextTokenizer::train(corpus, TokenizerOptions());
    QVERIFY2(t, qPrintable(t.error()));
    struct Restore
    {
        ~Restore() { qunsetenv("LEPTON_TOKENIZER"); }
    } restore;
    // A helper that is not there: named, with what to do.
    qputenv("LEPTON_TOKENIZER", m_dir.filePath(QStringLiteral("no-such-helper")).toUtf8());
    auto missing = TextTokenizer::train(corpus, TokenizerOptions());
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QStringLiteral("no-such-helper"))
            && missing.error().contains(QStringLiteral("reinstall")),
        qPrintable(missing.error()));
    auto load = TextTokenizer::fromModel(t.value()->model());
    QVERIFY(!load);
    QVERIFY2(load.error().contains(QStringLiteral("no-such-helper")), qPrintable(load.error()));
    // A helper that stops and cannot be started again: reading notes fails and says so (a dataset
    // then refuses to load rather than reading every note as empty).
    qputenv("LEPTON_TOKENIZER", "/bin/false");
    QCOMPARE(::kill(static_cast<pid_t>(t.value()->helperProcessId()), SIGKILL), 0);
    const auto read = t.value()->encodeAll({ QStringLiteral("Denies fever.") });
    QVERIFY(!read);
    QVERIFY2(read.error().contains(QStringLiteral("could not read the notes")), qPrintable(read.error()));
}

void TestText::notesBecomeTokensAndEmptyNotesAreMissing()
{
    auto fields = DatasetRepository(*m_study).fields(m_dataset, QStringLiteral("record"));
    QVERIFY(fields);
    QCOMPARE(fields->size(), std::size_t(2));
    QCOMPARE((*fields)[1].name, QStringLiteral("note"));
    QCOMPARE((*fields)[1].type, FieldType::Text);
    QVERIFY((*fields)[1].categories.isEmpty()); // notes are not categories

    auto ds = m_model->dataset(*m_study, m_dataset);
    QVERIFY2(ds, qPrintable(ds.error()));
    const MultimodalDataset &d = *ds.value();
    QCOMPARE(d.spec().recordFields.size(), std::size_t(1)); // age only: the note is not a record field
    QCOMPARE(d.spec().text.fields, QStringList { QStringLiteral("note") });
    QVERIFY(d.tokenizer());
    // Case 9 has an empty note, case 0 has one.
    int empty = -1, full = -1;
    for (int i = 0; i < d.size(); ++i) {
        if (d.at(i).caseKey == QLatin1String("N9"))
            empty = i;
        if (d.at(i).caseKey == QLatin1String("N0"))
            full = i;
    }
    QVERIFY(empty >= 0 && full >= 0);
    QCOMPARE(d.at(full).text, noteCase(0).note);
    const Batch b = d.collate({ full, empty });
    QVERIFY(b.textTokens.defined());
    QCOMPARE(b.textPresent[0].item<bool>(), true);
    QCOMPARE(b.textPresent[1].item<bool>(), false);
    QCOMPARE(b.textMask[1].any().item<bool>(), false);
    QCOMPARE(b.textMask[0].sum().item<std::int64_t>(), static_cast<std::int64_t>(d.at(full).textIds.size()));
    // Padding after the tokens is id 0.
    const std::int64_t n = static_cast<std::int64_t>(d.at(full).textIds.size());
    if (n < b.textTokens.size(1))
        QCOMPARE(b.textTokens[0][n].item<std::int64_t>(), std::int64_t(TextTokenizer::PadId));
}

void TestText::textModelLearnsAndExplainsNegation()
{
    auto ds = m_model->dataset(*m_study, m_dataset);
    QVERIFY(ds);
    std::shared_ptr<const MultimodalDataset> data = ds.value();
    auto setup = DecisionSetup::forRun(*m_study, *m_model);
    QVERIFY2(setup, qPrintable(setup.error()));
    Explainer x(m_model->model, data, setup.value());
    // The text-only model separates the test cases that have a note (chance: 0.5).
    std::vector<int> test;
    for (int i : data->indicesOf(QStringLiteral("test")))
        if (!data->at(i).text.isEmpty())
            test.push_back(i);
    QVERIFY(test.size() >= 20);
    const std::vector<double> p = x.positiveProbabilities(data->collate(test));
    const int positive = std::max(0, setup->bound.positiveIndex());
    std::vector<int> labels;
    for (int i : test)
        labels.push_back(data->at(i).label == positive ? 1 : 0);
    const double auroc = lepton::auroc(p, labels);
    QVERIFY2(auroc > 0.85, qPrintable(QStringLiteral("test AUROC %1 (chance 0.5)").arg(auroc)));

    // Integrated Gradients of the word "fever": higher where it is affirmed than where it is denied.
    ExplainOptions o;
    o.counterfactual = false;
    double affirmedSum = 0.0, deniedSum = 0.0, affirmedOcclusion = 0.0, deniedOcclusion = 0.0;
    int affirmed = 0, denied = 0;
    for (int i = 0; i < data->size() && (affirmed < 15 || denied < 15); ++i) {
        const int caseIndex = data->at(i).caseKey.mid(1).toInt();
        const NoteCase c = noteCase(caseIndex);
        if (c.fever == 0)
            continue;
        const CaseExplanation e = x.explain(i, o);
        QVERIFY(e.usesText);
        QCOMPARE(e.note, c.note);
        // Σ IG over the tokens = f(note) − f(no words), to the Riemann sum's accuracy.
        QVERIFY2(e.textIgCompletenessError < 0.05,
            qPrintable(QStringLiteral("%1 (f %2, baseline %3)")
                           .arg(e.textIgCompletenessError)
                           .arg(e.textIgOutput)
                           .arg(e.textIgBaselineOutput)));
        for (const WordAttribution &w : e.words())
            if (w.word.startsWith(QLatin1String("fever"), Qt::CaseInsensitive)) {
                (c.fever > 0 ? affirmedSum : deniedSum) += w.ig;
                (c.fever > 0 ? affirmedOcclusion : deniedOcclusion) += w.occlusion;
                ++(c.fever > 0 ? affirmed : denied);
                // Occlusion is p with the note minus p with the word taken out, by hand.
                if (affirmed + denied == 1) {
                    QString without = e.note;
                    without.remove(w.begin, w.end - w.begin + (w.end < without.size() ? 1 : 0));
                    Batch two = data->collate({ i, i });
                    data->setNotes(two, { e.note, without });
                    const std::vector<double> p2 = x.positiveProbabilities(two);
                    QVERIFY2(std::abs((p2[0] - p2[1]) - w.occlusion) < 1e-5,
                        qPrintable(QStringLiteral("%1 vs %2").arg(p2[0] - p2[1]).arg(w.occlusion)));
                }
            }
    }
    QVERIFY(affirmed >= 10 && denied >= 10);
    const double meanAffirmed = affirmedSum / affirmed, meanDenied = deniedSum / denied;
    QVERIFY2(meanDenied < meanAffirmed,
        qPrintable(QStringLiteral("IG of 'fever': denied %1, affirmed %2").arg(meanDenied).arg(meanAffirmed)));
    QVERIFY2(deniedOcclusion / denied < affirmedOcclusion / affirmed,
        qPrintable(QStringLiteral("occlusion of 'fever': denied %1, affirmed %2")
                       .arg(deniedOcclusion / denied)
                       .arg(affirmedOcclusion / affirmed)));
}

void TestText::textModelExportsToTorchScript()
{
    auto ds = m_model->dataset(*m_study, m_dataset);
    QVERIFY(ds);
    FusionNet net = m_model->model;
    net->eval();
    std::vector<int> cases(12);
    std::iota(cases.begin(), cases.end(), 0);
    const Batch b = ds.value()->collate(cases);
    QVERIFY(!b.textPresent.all().item<bool>()); // case 9 has no note
    const QString path = m_dir.filePath(QStringLiteral("text.pt"));
    const Status exported = exportTorchScript(net, path);
    QVERIFY2(exported, qPrintable(exported.error()));
    torch::NoGradGuard noGrad;
    const FusionOutput native = net->forward(b);
    torch::jit::Module loaded = torch::jit::load(path.toStdString());
    const std::vector<torch::jit::IValue> inputs { b.image, b.imagePresent, b.recordValues, b.recordMissing,
        b.recordCategory, b.recordPresent, b.events, b.eventMask, b.historyPresent, b.textTokens, b.textMask,
        b.textPresent };
    const torch::Tensor logits = loaded.forward(inputs).toTuple()->elements()[0].toTensor();
    QVERIFY2(torch::allclose(logits, native.logits, 1e-5, 1e-5),
        qPrintable(QString::number((logits - native.logits).abs().max().item<double>())));

    // Python's torch.jit.load gives the same logits (python3-torch is installed by scripts/install-deps).
    const QString data = m_dir.filePath(QStringLiteral("text-inputs.pt"));
    QString error;
    const std::optional<double> diff = pyparity::maxLogitDifference(path, data,
        { b.image, b.imagePresent, b.recordValues, b.recordMissing, b.recordCategory, b.recordPresent, b.events,
            b.eventMask, b.historyPresent, b.textTokens, b.textMask, b.textPresent },
        native.logits, &error);
    QVERIFY2(diff, qPrintable(error));
    QVERIFY2(*diff <= 1e-5, qPrintable(QString::number(*diff)));
}

void TestText::gruTextEncoderReadsOnlyTheNoteAndExports()
{
    auto ds = m_model->dataset(*m_study, m_dataset);
    QVERIFY(ds);
    ModelConfig config = m_model->model->config();
    config.textEncoder = QStringLiteral("gru");
    torch::manual_seed(3);
    FusionNet net(config);
    net->eval();
    std::vector<int> cases(12);
    std::iota(cases.begin(), cases.end(), 0);
    const Batch b = ds.value()->collate(cases);
    torch::NoGradGuard noGrad;
    const FusionOutput native = net->forward(b);
    // More padding after the notes changes nothing: the backward direction starts at each note's
    // last real token. (A backward GRU that read the padding first moved these logits by 5e-4.)
    Batch padded = b;
    padded.textTokens
        = torch::cat({ b.textTokens, torch::zeros({ b.textTokens.size(0), 9 }, b.textTokens.options()) }, 1);
    padded.textMask = torch::cat({ b.textMask, torch::zeros({ b.textMask.size(0), 9 }, b.textMask.options()) }, 1);
    const FusionOutput longer = net->forward(padded);
    QVERIFY2(torch::allclose(longer.logits, native.logits, 1e-5, 1e-5),
        qPrintable(QString::number((longer.logits - native.logits).abs().max().item<double>())));
    // A different note gives different logits (the check above can fail).
    Batch other = b;
    other.textTokens = b.textTokens.roll(1, 0);
    other.textMask = b.textMask.roll(1, 0);
    QVERIFY((net->forward(other).logits - native.logits).abs().max().item<double>() > 1e-4);

    const QString path = m_dir.filePath(QStringLiteral("text-gru.pt"));
    const Status exported = exportTorchScript(net, path);
    QVERIFY2(exported, qPrintable(exported.error()));
    const std::vector<torch::Tensor> inputs { b.image, b.imagePresent, b.recordValues, b.recordMissing,
        b.recordCategory, b.recordPresent, b.events, b.eventMask, b.historyPresent, b.textTokens, b.textMask,
        b.textPresent };
    torch::jit::Module loaded = torch::jit::load(path.toStdString());
    const torch::Tensor logits = loaded.forward(std::vector<torch::jit::IValue>(inputs.begin(), inputs.end()))
                                     .toTuple()
                                     ->elements()[0]
                                     .toTensor();
    QVERIFY2(torch::allclose(logits, native.logits, 1e-5, 1e-5),
        qPrintable(QString::number((logits - native.logits).abs().max().item<double>())));
    QString error;
    const std::optional<double> diff = pyparity::maxLogitDifference(
        path, m_dir.filePath(QStringLiteral("text-gru-inputs.pt")), inputs, native.logits, &error);
    QVERIFY2(diff, qPrintable(error));
    QVERIFY2(*diff <= 1e-5, qPrintable(QString::number(*diff)));
}

void TestText::tokenDropoutOnlyInTraining()
{
    auto ds = m_model->dataset(*m_study, m_dataset);
    QVERIFY(ds);
    ModelConfig config = m_model->model->config();
    config.textTokenDropout = 0.3;
    torch::manual_seed(5);
    FusionNet net(config);
    std::vector<int> cases(12);
    std::iota(cases.begin(), cases.end(), 0);
    const Batch b = ds.value()->collate(cases);
    torch::NoGradGuard noGrad;
    TextEncoder text = net->textEncoder();
    QVERIFY(!text.is_empty());
    // Prediction (eval): every token read as it is, the same each time.
    net->eval();
    const torch::Tensor plain = text->embed(b.textTokens);
    const torch::Tensor unknown = text->embed(torch::ones({ 1, 1 }, b.textTokens.options()))[0][0];
    QVERIFY(torch::equal(text->embed(b.textTokens), plain));
    // Training: about 30 % of the real tokens read as the unknown token; padding stays padding.
    net->train();
    const torch::Tensor dropped = text->embed(b.textTokens);
    const torch::Tensor changed = (dropped - plain).abs().sum(2) > 0; // [B, L]
    const torch::Tensor real = b.textTokens > 1;
    QVERIFY(!changed.logical_and(b.textTokens == 0).any().item<bool>());
    const double share = changed.logical_and(real).sum().item<double>() / real.sum().item<double>();
    QVERIFY2(share > 0.2 && share < 0.4, qPrintable(QString::number(share)));
    const torch::Tensor at = changed.nonzero()[0];
    QVERIFY(torch::equal(dropped[at[0].item<int64_t>()][at[1].item<int64_t>()], unknown));
    // Refused outside [0, 1), read from the config.
    config.textTokenDropout = 1.0;
    QVERIFY2(config.validate().contains(QStringLiteral("text_token_dropout")), qPrintable(config.validate()));
    auto json = ModelConfig::fromJson(QJsonObject { { QStringLiteral("text_token_dropout"), 0.15 } });
    QVERIFY2(json, qPrintable(json.error()));
    QCOMPARE(json->textTokenDropout, 0.15);
}

void TestText::textSettingsAreChecked()
{
    auto bad = TrainConfig::fromJson(QJsonObject {
        { QStringLiteral("text"), QJsonObject { { QStringLiteral("tokenizer"), QStringLiteral("words") } } } });
    QVERIFY(!bad);
    QVERIFY2(bad.error().contains(QStringLiteral("text.tokenizer")), qPrintable(bad.error()));
    auto unknown = TrainConfig::fromJson(
        QJsonObject { { QStringLiteral("text"), QJsonObject { { QStringLiteral("vocab"), 10 } } } });
    QVERIFY(!unknown);
    QVERIFY2(unknown.error().contains(QStringLiteral("text.vocab")), qPrintable(unknown.error()));
    ModelConfig m;
    m.fusion = FusionVariant::Text;
    m.textVocab = 100;
    m.textHeads = 3; // 64 is not divisible by 3
    QVERIFY2(m.validate().contains(QStringLiteral("text_heads")), qPrintable(m.validate()));
    m.textHeads = 2;
    m.textEncoder = QStringLiteral("lstm");
    QVERIFY2(m.validate().contains(QStringLiteral("text_encoder")), qPrintable(m.validate()));
    auto fromJson = ModelConfig::fromJson(QJsonObject { { QStringLiteral("text_encoder"), QStringLiteral("gru") } });
    QVERIFY2(fromJson, qPrintable(fromJson.error()));
    QCOMPARE(fromJson->textEncoder, QStringLiteral("gru"));
}

QTEST_GUILESS_MAIN(TestText)
#include "tst_text.moc"
