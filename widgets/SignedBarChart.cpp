// SPDX-License-Identifier: GPL-3.0-or-later
#include "SignedBarChart.h"

#include <QPainter>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace {
constexpr int kRow = 20;
}

SignedBarChart::SignedBarChart(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void SignedBarChart::setTitle(const QString &title)
{
    m_title = title;
    setToolTip(title); // the title may be elided
    updateGeometry();
    update();
}

void SignedBarChart::setColours(const QColor &positive, const QColor &negative)
{
    m_positive = positive;
    m_negative = negative;
    update();
}

void SignedBarChart::clear()
{
    m_names.clear();
    m_values.clear();
    m_notes.clear();
    updateGeometry();
    update();
}

void SignedBarChart::setBars(
    const QStringList &names, const QVector<double> &values, const QStringList &notes, bool keepOrder)
{
    const int n = std::min<int>(names.size(), values.size());
    std::vector<int> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (!keepOrder)
        std::stable_sort(
            order.begin(), order.end(), [&](int a, int b) { return std::abs(values[a]) > std::abs(values[b]); });
    if (m_maxBars > 0 && int(order.size()) > m_maxBars)
        order.resize(static_cast<std::size_t>(m_maxBars));
    m_names.clear();
    m_values.clear();
    m_notes.clear();
    for (int i : order) {
        m_names.append(names[i]);
        m_values.append(std::isfinite(values[i]) ? values[i] : 0.0);
        m_notes.append(i < notes.size() ? notes[i] : QString());
    }
    updateGeometry();
    update();
}

QSize SignedBarChart::sizeHint() const
{
    return { 320, (m_title.isEmpty() ? 0 : kRow + 4) + std::max({ 1, m_reservedBars, barCount() }) * kRow + 8 };
}

void SignedBarChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QFontMetrics fm = fontMetrics();
    int y = 4;
    if (!m_title.isEmpty()) {
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        // A narrow chart (two runs side by side) elides its title rather than cutting it off.
        p.drawText(QRect(4, y, width() - 8, kRow), Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetrics(bold).elidedText(m_title, Qt::ElideRight, width() - 8));
        p.setFont(font());
        y += kRow + 4;
    }
    if (m_names.isEmpty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(QRect(4, y, width() - 8, kRow), Qt::AlignLeft | Qt::AlignVCenter, tr("nothing to show"));
        return;
    }
    int nameWidth = 0, noteWidth = 0;
    for (int i = 0; i < m_names.size(); ++i) {
        nameWidth = std::max(nameWidth, fm.horizontalAdvance(m_names[i]));
        noteWidth = std::max(noteWidth, fm.horizontalAdvance(m_notes[i]));
    }
    nameWidth = std::min(nameWidth + 8, width() / 3);
    noteWidth = noteWidth ? std::min(noteWidth + 8, width() / 4) : 0;
    const int valueWidth = fm.horizontalAdvance(QStringLiteral("-0.0000")) + 6;
    const bool signedValues = std::any_of(m_values.begin(), m_values.end(), [](double v) { return v < 0; });
    const double top = std::max(1e-12,
        std::abs(*std::max_element(
            m_values.begin(), m_values.end(), [](double a, double b) { return std::abs(a) < std::abs(b); })));
    const int left = nameWidth + 4;
    const int span = std::max(20, width() - left - valueWidth - noteWidth - 8);
    const int zero = signedValues ? left + span / 2 : left;
    const double scale = (signedValues ? span / 2.0 : double(span)) / top;
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(zero, y, zero, y + int(m_names.size()) * kRow);
    for (int i = 0; i < m_names.size(); ++i) {
        const double v = m_values[i];
        const int len = int(std::lround(std::abs(v) * scale));
        const QRect bar = v >= 0 ? QRect(zero, y + 3, len, kRow - 6) : QRect(zero - len, y + 3, len, kRow - 6);
        p.fillRect(bar, v >= 0 ? m_positive : m_negative);
        p.setPen(palette().color(QPalette::WindowText));
        p.drawText(QRect(4, y, nameWidth - 4, kRow), Qt::AlignRight | Qt::AlignVCenter,
            fm.elidedText(m_names[i], Qt::ElideMiddle, nameWidth - 4));
        p.drawText(QRect(left + span + 4, y, valueWidth, kRow), Qt::AlignLeft | Qt::AlignVCenter,
            QString::number(v, m_format, m_precision));
        if (noteWidth)
            p.drawText(QRect(left + span + 4 + valueWidth, y, noteWidth, kRow), Qt::AlignLeft | Qt::AlignVCenter,
                fm.elidedText(m_notes[i], Qt::ElideRight, noteWidth));
        y += kRow;
    }
}
