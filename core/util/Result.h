// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace lepton {

/// The outcome of an operation that can fail in an expected way (bad input, missing file).
/// Holds either a value or a message a user can act on; never throws. [[nodiscard]]: a caller
/// that does not need the outcome says so (static_cast<void>) and why, in a comment.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_value(std::move(value)) { }
    static Result failure(QString message)
    {
        Result r;
        r.m_error = std::move(message);
        return r;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }

    T &value() { return *m_value; }
    const T &value() const { return *m_value; }
    T *operator->() { return &*m_value; }
    const T *operator->() const { return &*m_value; }
    T &operator*() { return *m_value; }
    T take() { return std::move(*m_value); }

private:
    Result() = default;
    std::optional<T> m_value;
    QString m_error;
};

/// A Result without a value: success, or a message.
class [[nodiscard]] Status
{
public:
    Status() = default;
    static Status failure(QString message)
    {
        Status s;
        s.m_error = std::move(message);
        s.m_failed = true;
        return s;
    }
    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }

private:
    QString m_error;
    bool m_failed = false;
};

} // namespace lepton
