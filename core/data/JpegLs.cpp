// SPDX-License-Identifier: GPL-3.0-or-later
#include "JpegLs.h"

#include <charls/charls.h>

#include <memory>

namespace lepton {
namespace {

struct DecoderDeleter
{
    void operator()(charls_jpegls_decoder *d) const { charls_jpegls_decoder_destroy(d); }
};

QString message(charls_jpegls_errc error)
{
    return QString::fromLatin1(charls_get_error_message(error));
}

} // namespace

JpegLsStatus decodeJpegLs(const uchar *data, qint64 size, JpegLsFrame *out, QString *reason)
{
    auto damaged = [&](const QString &why) {
        *reason = why;
        return JpegLsStatus::Damaged;
    };
    if (!data || size < 4)
        return damaged(QStringLiteral("the JPEG-LS stream is empty or cut off"));
    const std::unique_ptr<charls_jpegls_decoder, DecoderDeleter> decoder(charls_jpegls_decoder_create());
    if (!decoder)
        return damaged(QStringLiteral("the JPEG-LS decoder could not be created"));
    constexpr charls_jpegls_errc ok {};
    charls_jpegls_errc e = charls_jpegls_decoder_set_source_buffer(decoder.get(), data, std::size_t(size));
    if (e == ok)
        e = charls_jpegls_decoder_read_header(decoder.get());
    if (e != ok)
        return damaged(QStringLiteral("the JPEG-LS header cannot be read (%1)").arg(message(e)));
    charls_frame_info info {};
    e = charls_jpegls_decoder_get_frame_info(decoder.get(), &info);
    if (e != ok)
        return damaged(QStringLiteral("the JPEG-LS frame cannot be read (%1)").arg(message(e)));
    if (info.component_count != 1) {
        *reason = QStringLiteral("a JPEG-LS frame with %1 components").arg(info.component_count);
        return JpegLsStatus::Unsupported;
    }
    if (info.width == 0 || info.height == 0 || info.bits_per_sample < 2 || info.bits_per_sample > 16)
        return damaged(QStringLiteral("the JPEG-LS frame header is damaged"));
    std::size_t bytes = 0;
    e = charls_jpegls_decoder_get_destination_size(decoder.get(), 0, &bytes);
    const std::size_t expected
        = std::size_t(info.width) * std::size_t(info.height) * (info.bits_per_sample > 8 ? 2u : 1u);
    if (e != ok || bytes != expected)
        return damaged(QStringLiteral("the JPEG-LS frame's size is inconsistent"));
    out->bytes.resize(bytes);
    e = charls_jpegls_decoder_decode_to_buffer(decoder.get(), out->bytes.data(), bytes, 0);
    if (e != ok)
        return damaged(QStringLiteral("the JPEG-LS data cannot be decoded (%1)").arg(message(e)));
    out->width = int(info.width);
    out->height = int(info.height);
    out->bitsPerSample = info.bits_per_sample;
    return JpegLsStatus::Decoded;
}

} // namespace lepton
