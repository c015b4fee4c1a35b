// SPDX-License-Identifier: GPL-3.0-or-later
#include "NoteView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLinearGradient>
#include <QPainter>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

/// A horizontal gradient from one colour through white to the other.
class ColourBar : public QWidget
{
public:
    ColourBar(const QColor *negative, const QColor *positive, QWidget *parent)
        : QWidget(parent), m_negative(negative), m_positive(positive)
    {
        setFixedHeight(10);
        setMinimumWidth(80);
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        QLinearGradient g(0, 0, width(), 0);
        g.setColorAt(0.0, *m_negative);
        g.setColorAt(0.5, Qt::white);
        g.setColorAt(1.0, *m_positive);
        p.fillRect(rect(), g);
        p.setPen(palette().color(QPalette::Mid));
        p.drawRect(rect().adjusted(0, 0, -1, -1));
    }

private:
    const QColor *m_negative, *m_positive;
};

QColor mixWithWhite(const QColor &c, double strength)
{
    const double s = std::clamp(strength, 0.0, 1.0);
    return QColor::fromRgbF(static_cast<float>(1.0 - s * (1.0 - c.redF())),
        static_cast<float>(1.0 - s * (1.0 - c.greenF())), static_cast<float>(1.0 - s * (1.0 - c.blueF())));
}

} // namespace

NoteView::NoteView(QWidget *parent) : QWidget(parent)
{
    m_text = new QTextBrowser(this);
    m_text->setObjectName(QStringLiteral("noteText"));
    m_text->setOpenLinks(false);
    m_text->setMinimumHeight(60);
    m_text->setMaximumHeight(120);
    m_top = new QLabel(this);
    m_top->setObjectName(QStringLiteral("noteTopWords"));
    m_top->setWordWrap(true);
    m_top->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_footnote = new QLabel(this);
    m_footnote->setObjectName(QStringLiteral("noteFootnote"));
    m_footnote->setWordWrap(true);
    m_footnote->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bar = new ColourBar(&m_negative, &m_positive, this);
    m_barAway = new QLabel(this);
    m_barTowards = new QLabel(this);
    auto *legend = new QHBoxLayout();
    legend->setContentsMargins(0, 0, 0, 0);
    legend->addWidget(m_barAway);
    legend->addWidget(m_bar, 1);
    legend->addWidget(m_barTowards);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text);
    layout->addLayout(legend);
    layout->addWidget(m_top);
    layout->addWidget(m_footnote);
    clear();
}

void NoteView::setColours(const QColor &positive, const QColor &negative)
{
    m_positive = positive;
    m_negative = negative;
    m_bar->update();
}

void NoteView::clear(const QString &message)
{
    m_html.clear();
    m_text->setPlainText(message);
    m_top->clear();
    m_footnote->clear();
    m_barAway->clear();
    m_barTowards->clear();
    m_bar->setVisible(false);
}

void NoteView::setNote(const QString &note, const std::vector<Span> &words, const QString &towards, const QString &away)
{
    double top = 0.0;
    for (const Span &w : words)
        top = std::max(top, std::abs(w.value));
    QString html = QStringLiteral("<p style=\"line-height: 140%\">");
    int at = 0;
    for (const Span &w : words) {
        if (w.begin < at || w.end > note.size() || w.begin >= w.end)
            continue;
        html += note.mid(at, w.begin - at).toHtmlEscaped();
        const double strength = top > 0.0 ? std::abs(w.value) / top : 0.0;
        const QColor c = mixWithWhite(w.value >= 0.0 ? m_positive : m_negative, 0.85 * strength);
        html
            += QStringLiteral("<span style=\"background-color: %1\" title=\"%2\">%3</span>")
                   .arg(c.name(), QString::number(w.value, 'g', 3), note.mid(w.begin, w.end - w.begin).toHtmlEscaped());
        at = w.end;
    }
    html += note.mid(at).toHtmlEscaped() + QStringLiteral("</p>");
    m_html = html;
    m_text->setHtml(html);
    m_barAway->setText(away);
    m_barTowards->setText(towards);
    m_bar->setVisible(true);

    std::vector<Span> sorted = words;
    std::stable_sort(sorted.begin(), sorted.end(),
        [](const Span &a, const Span &b) { return std::abs(a.value) > std::abs(b.value); });
    QStringList parts;
    for (std::size_t i = 0; i < std::min<std::size_t>(5, sorted.size()); ++i) {
        const Span &w = sorted[i];
        if (w.value == 0.0)
            break;
        parts.append(QStringLiteral("%1 (%2%3)")
                         .arg(note.mid(w.begin, w.end - w.begin).trimmed())
                         .arg(w.value > 0 ? QStringLiteral("+") : QString())
                         .arg(w.value, 0, 'f', 3));
    }
    m_top->setText(parts.isEmpty() ? QString() : tr("Top words: %1").arg(parts.join(QStringLiteral(", "))));
}

void NoteView::setFootnote(const QString &text)
{
    m_footnote->setText(text);
}

QString NoteView::topWordsText() const
{
    return m_top->text();
}
