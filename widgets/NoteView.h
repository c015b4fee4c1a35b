// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QWidget>

#include <vector>

class QLabel;
class QTextBrowser;

/// A free-text note with each word highlighted by a signed value (its contribution to a
/// prediction): one colour towards the positive class, another away from it, the strength by the
/// value against the note's largest; a colour bar saying which is which, and the top words.
class NoteView : public QWidget
{
    Q_OBJECT
public:
    /// A word of the note: [begin, end) in the note's UTF-16 units, and its value.
    struct Span
    {
        int begin = 0, end = 0;
        double value = 0.0;
    };

    explicit NoteView(QWidget *parent = nullptr);
    /// `towards` and `away` name the two directions ("towards abnormal", "towards normal").
    void setNote(const QString &note, const std::vector<Span> &words, const QString &towards, const QString &away);
    void clear(const QString &message = QString());
    void setColours(const QColor &positive, const QColor &negative);

    /// The note as rich text (for tests: each word a <span> with its colour and value).
    QString html() const { return m_html; }
    QString topWordsText() const;
    /// A line under the top words (the note's counterfactual).
    void setFootnote(const QString &text);

private:
    QTextBrowser *m_text;
    QLabel *m_top, *m_footnote;
    QWidget *m_bar;
    QLabel *m_barAway, *m_barTowards;
    QColor m_positive { 214, 39, 40 }, m_negative { 31, 119, 180 };
    QString m_html;
};
