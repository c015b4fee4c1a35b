// SPDX-License-Identifier: GPL-3.0-or-later
// The note view: each word coloured by its value's sign and size, the top words by |value|, and
// the message of a case without a note.
#include "NoteView.h"

#include <QColor>
#include <QLabel>
#include <QRegularExpression>
#include <QTest>
#include <QTextBrowser>

class TestNoteView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void wordsAreColouredBySignAndSize();
    void topWordsAreTheLargest();
    void anEmptyNoteSaysSo();
};

namespace {

/// The background colour of the span holding `word` in the view's HTML.
QColor colourOf(const QString &html, const QString &word)
{
    const QRegularExpression re(QStringLiteral("background-color: (#[0-9a-f]{6})\" title=\"[^\"]*\">%1</span>")
                                    .arg(QRegularExpression::escape(word)));
    const QRegularExpressionMatch m = re.match(html);
    return m.hasMatch() ? QColor(m.captured(1)) : QColor();
}

} // namespace

void TestNoteView::wordsAreColouredBySignAndSize()
{
    NoteView v;
    v.setColours(QColor(200, 0, 0), QColor(0, 0, 200));
    const QString note = QStringLiteral("Reports fever. Denies cough & <pain>.");
    // "Reports" +0.4, "fever." +0.2, "Denies" -0.4, "<pain>." 0.
    v.setNote(note, { { 0, 7, 0.4 }, { 8, 14, 0.2 }, { 15, 21, -0.4 }, { 30, 37, 0.0 } },
        QStringLiteral("towards abnormal"), QStringLiteral("away"));
    const QString html = v.html();
    const QColor reports = colourOf(html, QStringLiteral("Reports")), fever = colourOf(html, QStringLiteral("fever."));
    const QColor denies = colourOf(html, QStringLiteral("Denies"));
    QVERIFY2(reports.isValid() && fever.isValid() && denies.isValid(), qPrintable(html));
    QVERIFY(reports.red() > reports.blue()); // towards: the positive colour
    QVERIFY(denies.blue() > denies.red()); // away: the negative colour
    QVERIFY(fever.green() > reports.green()); // half the value: paler
    QCOMPARE(colourOf(html, QStringLiteral("&lt;pain&gt;.")), QColor(Qt::white)); // 0: no colour
    // The text between words is kept, escaped.
    QVERIFY(html.contains(QStringLiteral("cough &amp; ")));
    QVERIFY(v.findChild<QTextBrowser *>(QStringLiteral("noteText"))
                ->toPlainText()
                .contains(QStringLiteral("cough & <pain>.")));
}

void TestNoteView::topWordsAreTheLargest()
{
    NoteView v;
    const QString note = QStringLiteral("a bb ccc dddd");
    v.setNote(note, { { 0, 1, 0.01 }, { 2, 4, -0.5 }, { 5, 8, 0.3 }, { 9, 13, 0.0 } }, QStringLiteral("towards"),
        QStringLiteral("away"));
    const QString top = v.topWordsText();
    QVERIFY2(top.indexOf(QStringLiteral("bb (-0.500)")) >= 0
            && top.indexOf(QStringLiteral("ccc (+0.300)")) > top.indexOf(QStringLiteral("bb")),
        qPrintable(top));
    QVERIFY2(!top.contains(QStringLiteral("dddd")), qPrintable(top)); // a zero is no reason
    v.setFootnote(QStringLiteral("Counterfactual: without 'bb' the decision would be normal"));
    QVERIFY(v.findChild<QLabel *>(QStringLiteral("noteFootnote"))->text().contains(QStringLiteral("without 'bb'")));
}

void TestNoteView::anEmptyNoteSaysSo()
{
    NoteView v;
    v.setNote(QStringLiteral("x y"), { { 0, 1, 1.0 } }, QStringLiteral("towards"), QStringLiteral("away"));
    v.clear(QStringLiteral("This case has no note"));
    QVERIFY(v.html().isEmpty());
    QCOMPARE(v.topWordsText(), QString());
    QCOMPARE(v.findChild<QTextBrowser *>(QStringLiteral("noteText"))->toPlainText(),
        QStringLiteral("This case has no note"));
}

QTEST_MAIN(TestNoteView)
#include "tst_noteview.moc"
