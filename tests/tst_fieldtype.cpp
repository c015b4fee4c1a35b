// SPDX-License-Identifier: GPL-3.0-or-later
#include "data/FieldType.h"

#include <QTest>

using namespace lepton;

class TestFieldType : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void missing_data();
    void missing();
    void infer_data();
    void infer();
    void parse();
    void names();
};

void TestFieldType::missing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("missing");
    for (const char *m : { "", " ", "NA", "na", "NaN", "nan", "null", "NULL", " NA " })
        QTest::newRow(m[0] ? m : "empty") << QString::fromLatin1(m) << true;
    for (const char *v : { "0", "N", "none", "-", "NAN1", "nil" })
        QTest::newRow(v) << QString::fromLatin1(v) << false;
}

void TestFieldType::missing()
{
    QFETCH(QString, text);
    QFETCH(bool, missing);
    QCOMPARE(isMissingValue(text), missing);
}

void TestFieldType::infer_data()
{
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<int>("type");
    auto list = [](std::initializer_list<const char *> items) {
        QStringList l;
        for (const char *i : items)
            l.append(QString::fromLatin1(i));
        return l;
    };
    QTest::newRow("integers") << list({ "1", "2", "30" }) << int(FieldType::Numeric);
    QTest::newRow("decimals and exponents") << list({ "1.5", "-2e3", "0.001" }) << int(FieldType::Numeric);
    QTest::newRow("yes/no") << list({ "yes", "no", "Yes" }) << int(FieldType::Boolean);
    QTest::newRow("0/1 only") << list({ "0", "1", "1" }) << int(FieldType::Boolean);
    QTest::newRow("mostly 0/1 stays numeric")
        << list({ "0", "1", "1", "1", "1", "1", "1", "1", "1", "1", "2" }) << int(FieldType::Numeric);
    QTest::newRow("dates") << list({ "2024-01-02", "2023-12-31" }) << int(FieldType::Date);
    QTest::newRow("date-times") << list({ "2024-01-02T10:00:00", "2024-01-03T11:30:00Z" }) << int(FieldType::Date);
    QTest::newRow("words") << list({ "A", "B", "C" }) << int(FieldType::Categorical);
    QTest::newRow("one typo in many numbers")
        << list({ "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "x" }) << int(FieldType::Numeric);
    QTest::newRow("half numbers") << list({ "1", "a", "2", "b" }) << int(FieldType::Categorical);
    QTest::newRow("empty column") << QStringList() << int(FieldType::Categorical);
    QTest::newRow("years are numbers") << list({ "1999", "2004" }) << int(FieldType::Numeric);
}

void TestFieldType::infer()
{
    QFETCH(QStringList, values);
    QFETCH(int, type);
    QCOMPARE(int(inferFieldType(values)), type);
}

void TestFieldType::parse()
{
    QCOMPARE(parseNumber(QStringLiteral(" 2.5 ")).value(), 2.5);
    QVERIFY(!parseNumber(QStringLiteral("2,5")));
    QVERIFY(!parseNumber(QStringLiteral("inf")));
    QCOMPARE(parseAs(FieldType::Boolean, QStringLiteral("TRUE")).value(), 1.0);
    QCOMPARE(parseAs(FieldType::Boolean, QStringLiteral("n")).value(), 0.0);
    QCOMPARE(parseIsoDays(QStringLiteral("1970-01-02")).value(), 1.0);
    QCOMPARE(parseIsoDays(QStringLiteral("1970-01-01T12:00:00")).value(), 0.5);
    QVERIFY(!parseIsoDays(QStringLiteral("2024-13-01")));
    QVERIFY(!parseIsoDays(QStringLiteral("20240101")));
    QVERIFY(!parseAs(FieldType::Categorical, QStringLiteral("x")));
}

void TestFieldType::names()
{
    for (FieldType t :
        { FieldType::Numeric, FieldType::Categorical, FieldType::Boolean, FieldType::Date, FieldType::Text })
        QCOMPARE(fieldTypeFromName(fieldTypeName(t)).value(), t);
    QVERIFY(!fieldTypeFromName(QStringLiteral("notes")));
    QVERIFY(!fieldTypeFromName(QStringLiteral("string")));
}

QTEST_GUILESS_MAIN(TestFieldType)
#include "tst_fieldtype.moc"
