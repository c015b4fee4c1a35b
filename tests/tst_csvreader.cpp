// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/CsvReader.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QTest>

using lepton::CsvReader;

class TestCsvReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void fatal_data();
    void fatal();
    void readsFileAndHashes();
    void missingFileNamesPath();
    void quotesRoundTrip();
};

using Rows = QList<QStringList>;

void TestCsvReader::parses_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<Rows>("rows");
    QTest::addColumn<QList<int>>("lines");

    const QStringList ab { QStringLiteral("a"), QStringLiteral("b") };
    QTest::newRow("plain LF") << QByteArray("a,b\n1,2\n3,4\n") << ab
                              << Rows { { QStringLiteral("1"), QStringLiteral("2") },
                                     { QStringLiteral("3"), QStringLiteral("4") } }
                              << QList<int> { 2, 3 };
    QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n3,4\r\n") << ab
                          << Rows { { QStringLiteral("1"), QStringLiteral("2") },
                                 { QStringLiteral("3"), QStringLiteral("4") } }
                          << QList<int> { 2, 3 };
    QTest::newRow("CR only") << QByteArray("a,b\r1,2\r") << ab << Rows { { QStringLiteral("1"), QStringLiteral("2") } }
                             << QList<int> { 2 };
    QTest::newRow("no final newline") << QByteArray("a,b\n1,2") << ab
                                      << Rows { { QStringLiteral("1"), QStringLiteral("2") } } << QList<int> { 2 };
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBF"
                                       "a,b\n1,2\n")
                         << ab << Rows { { QStringLiteral("1"), QStringLiteral("2") } } << QList<int> { 2 };
    QTest::newRow("quoted comma") << QByteArray("a,b\n\"x,y\",2\n") << ab
                                  << Rows { { QStringLiteral("x,y"), QStringLiteral("2") } } << QList<int> { 2 };
    QTest::newRow("doubled quote") << QByteArray("a,b\n\"say \"\"hi\"\"\",2\n") << ab
                                   << Rows { { QStringLiteral("say \"hi\""), QStringLiteral("2") } }
                                   << QList<int> { 2 };
    QTest::newRow("embedded newline keeps line numbers")
        << QByteArray("a,b\n\"line1\nline2\",2\n3,4\n") << ab
        << Rows { { QStringLiteral("line1\nline2"), QStringLiteral("2") },
               { QStringLiteral("3"), QStringLiteral("4") } }
        << QList<int> { 2, 4 };
    QTest::newRow("embedded CRLF") << QByteArray("a,b\r\n\"x\r\ny\",2\r\n") << ab
                                   << Rows { { QStringLiteral("x\r\ny"), QStringLiteral("2") } } << QList<int> { 2 };
    QTest::newRow("empty fields") << QByteArray("a,b\n,\n1,\n") << ab
                                  << Rows { { QString(), QString() }, { QStringLiteral("1"), QString() } }
                                  << QList<int> { 2, 3 };
    QTest::newRow("ragged rows kept as they are")
        << QByteArray("a,b\n1\n1,2,3\n") << ab
        << Rows { { QStringLiteral("1") }, { QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3") } }
        << QList<int> { 2, 3 };
    QTest::newRow("blank lines skipped") << QByteArray("a,b\n\n1,2\n\n") << ab
                                         << Rows { { QStringLiteral("1"), QStringLiteral("2") } } << QList<int> { 3 };
    QTest::newRow("quoted empty is a row")
        << QByteArray("a\n\"\"\n") << QStringList { QStringLiteral("a") } << Rows { { QString() } } << QList<int> { 2 };
    QTest::newRow("UTF-8 text") << QByteArray("a,b\n\xC3\xA9t\xC3\xA9,\xE2\x82\xAC\n") << ab
                                << Rows { { QString::fromUtf8("\xC3\xA9t\xC3\xA9"),
                                       QString::fromUtf8("\xE2\x82\xAC") } }
                                << QList<int> { 2 };
    QTest::newRow("header trimmed") << QByteArray(" a , b\n1,2\n") << ab
                                    << Rows { { QStringLiteral("1"), QStringLiteral("2") } } << QList<int> { 2 };
    QTest::newRow("header only") << QByteArray("a,b\n") << ab << Rows {} << QList<int> {};
}

void TestCsvReader::parses()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, header);
    QFETCH(Rows, rows);
    QFETCH(QList<int>, lines);
    CsvReader reader;
    QVERIFY2(reader.parse(input), qPrintable(reader.errorString()));
    QCOMPARE(reader.header(), header);
    QCOMPARE(static_cast<int>(reader.rows().size()), rows.size());
    for (int i = 0; i < rows.size(); ++i) {
        QCOMPARE(reader.rows()[static_cast<std::size_t>(i)].fields, rows[i]);
        QCOMPARE(reader.rows()[static_cast<std::size_t>(i)].line, lines[i]);
    }
}

void TestCsvReader::fatal_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("needle");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("is empty");
    QTest::newRow("only blank lines") << QByteArray("\n\n") << QStringLiteral("is empty");
    QTest::newRow("binary") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0", 11) << QStringLiteral("binary");
    QTest::newRow("not UTF-8") << QByteArray("a,b\n\xE9t\xE9,1\n") << QStringLiteral("not UTF-8");
    QTest::newRow("unclosed quote") << QByteArray("a,b\n1,2\n\"open,3\n4,5\n")
                                    << QStringLiteral(":3: a quoted field is never closed");
}

void TestCsvReader::fatal()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, needle);
    CsvReader reader;
    QVERIFY(!reader.parse(input, QStringLiteral("m.csv")));
    QVERIFY2(reader.errorString().contains(needle), qPrintable(reader.errorString()));
    QVERIFY(reader.errorString().startsWith(QStringLiteral("m.csv")));
}

void TestCsvReader::readsFileAndHashes()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("m.csv"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("a,b\n1,2\n");
    f.close();
    CsvReader reader;
    QVERIFY(reader.readFile(path));
    QCOMPARE(reader.contentHash(), QCryptographicHash::hash("a,b\n1,2\n", QCryptographicHash::Sha256).toHex());
    QCOMPARE(reader.contentHash().size(), 64);
    CsvReader other;
    QVERIFY(other.parse("a,b\n1,3\n"));
    QVERIFY(other.contentHash() != reader.contentHash());
}

void TestCsvReader::missingFileNamesPath()
{
    CsvReader reader;
    QVERIFY(!reader.readFile(QStringLiteral("/nonexistent/manifest.csv")));
    QVERIFY(reader.errorString().contains(QStringLiteral("/nonexistent/manifest.csv")));
    QVERIFY(reader.errorString().contains(QStringLiteral("not found")));
}

void TestCsvReader::quotesRoundTrip()
{
    const QStringList fields { QStringLiteral("plain"), QStringLiteral("a,b"), QStringLiteral("say \"x\""),
        QStringLiteral("two\nlines"), QString() };
    const QByteArray text
        = (QStringLiteral("h1,h2,h3,h4,h5\n") + lepton::csvLine(fields) + QStringLiteral("\n")).toUtf8();
    CsvReader reader;
    QVERIFY(reader.parse(text));
    QCOMPARE(reader.rows().front().fields, fields);
}

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_csvreader.moc"
