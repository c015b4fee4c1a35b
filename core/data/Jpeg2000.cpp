// SPDX-License-Identifier: GPL-3.0-or-later
#include "Jpeg2000.h"

#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace lepton {
namespace {

/// The code stream in memory, read through OpenJPEG's stream callbacks.
struct Source
{
    const uchar *data = nullptr;
    OPJ_UINT64 size = 0;
    OPJ_UINT64 pos = 0;
};

OPJ_SIZE_T readSource(void *buffer, OPJ_SIZE_T bytes, void *user)
{
    auto *s = static_cast<Source *>(user);
    if (s->pos >= s->size)
        return OPJ_SIZE_T(-1); // the end, as OpenJPEG expects it
    const OPJ_SIZE_T n = OPJ_SIZE_T(std::min<OPJ_UINT64>(bytes, s->size - s->pos));
    std::memcpy(buffer, s->data + s->pos, n);
    s->pos += n;
    return n;
}

OPJ_OFF_T skipSource(OPJ_OFF_T bytes, void *user)
{
    auto *s = static_cast<Source *>(user);
    if (bytes < 0) {
        const OPJ_UINT64 back = std::min<OPJ_UINT64>(OPJ_UINT64(-bytes), s->pos);
        s->pos -= back;
        return -OPJ_OFF_T(back);
    }
    const OPJ_UINT64 ahead = std::min<OPJ_UINT64>(OPJ_UINT64(bytes), s->size - s->pos);
    s->pos += ahead;
    return OPJ_OFF_T(ahead);
}

OPJ_BOOL seekSource(OPJ_OFF_T pos, void *user)
{
    auto *s = static_cast<Source *>(user);
    if (pos < 0 || OPJ_UINT64(pos) > s->size)
        return OPJ_FALSE;
    s->pos = OPJ_UINT64(pos);
    return OPJ_TRUE;
}

/// OpenJPEG's messages: the first error is kept for the reason; warnings and progress are
/// dropped (they would go to the terminal of every import).
void keepError(const char *message, void *user)
{
    auto *error = static_cast<QString *>(user);
    if (error->isEmpty() && message)
        *error = QString::fromLocal8Bit(message).trimmed();
}
void ignore(const char *, void *) { }

struct CodecDeleter
{
    void operator()(opj_codec_t *c) const { opj_destroy_codec(c); }
};
struct StreamDeleter
{
    void operator()(opj_stream_t *s) const { opj_stream_destroy(s); }
};
struct ImageDeleter
{
    void operator()(opj_image_t *i) const { opj_image_destroy(i); }
};

} // namespace

QString decodeJpeg2000(const uchar *data, qint64 size, int minSide, Jpeg2000Frame *out)
{
    if (!data || size < 12)
        return QStringLiteral("the JPEG 2000 code stream is empty or cut off");
    static const uchar jp2Signature[12] = { 0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a };
    const bool jp2 = std::memcmp(data, jp2Signature, sizeof jp2Signature) == 0;
    if (!jp2 && !(data[0] == 0xff && data[1] == 0x4f))
        return QStringLiteral("the frame is not a JPEG 2000 code stream (no SOC marker)");
    Source source { data, OPJ_UINT64(size), 0 };
    const std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, OPJ_TRUE));
    const std::unique_ptr<opj_codec_t, CodecDeleter> codec(opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
    if (!stream || !codec)
        return QStringLiteral("the JPEG 2000 decoder could not be created");
    opj_stream_set_user_data(stream.get(), &source, nullptr);
    opj_stream_set_user_data_length(stream.get(), source.size);
    opj_stream_set_read_function(stream.get(), readSource);
    opj_stream_set_skip_function(stream.get(), skipSource);
    opj_stream_set_seek_function(stream.get(), seekSource);
    QString error;
    opj_set_error_handler(codec.get(), keepError, &error);
    opj_set_warning_handler(codec.get(), ignore, nullptr);
    opj_set_info_handler(codec.get(), ignore, nullptr);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);
    if (!opj_setup_decoder(codec.get(), &parameters))
        return QStringLiteral("the JPEG 2000 decoder could not be set up (%1)").arg(error);
    opj_image_t *header = nullptr;
    if (!opj_read_header(stream.get(), codec.get(), &header)) {
        opj_image_destroy(header);
        return QStringLiteral("the JPEG 2000 header cannot be read (%1)").arg(error);
    }
    const std::unique_ptr<opj_image_t, ImageDeleter> image(header);
    if (image->numcomps < 1 || !image->comps)
        return QStringLiteral("the JPEG 2000 code stream has no components");
    const OPJ_UINT32 fullW = image->x1 - image->x0, fullH = image->y1 - image->y0;
    if (image->x1 <= image->x0 || image->y1 <= image->y0 || fullW > 65535 || fullH > 65535)
        return QStringLiteral("the JPEG 2000 image has no valid size");
    for (OPJ_UINT32 c = 0; c < image->numcomps; ++c)
        if (image->comps[c].dx != 1 || image->comps[c].dy != 1)
            return QStringLiteral("the JPEG 2000 components are subsampled");
    // How many resolution levels can be skipped: never more than the code stream has (its
    // wavelet decomposition levels, in the default coding style), and never below minSide.
    int reduction = 0;
    if (minSide > 0) {
        opj_codestream_info_v2_t *info = opj_get_cstr_info(codec.get());
        int levels = 0;
        if (info && info->m_default_tile_info.tccp_info)
            levels = int(info->m_default_tile_info.tccp_info[0].numresolutions) - 1;
        opj_destroy_cstr_info(&info);
        const OPJ_UINT32 smaller = std::min(fullW, fullH);
        while (
            reduction < levels && ((smaller + (1u << (reduction + 1)) - 1) >> (reduction + 1)) >= OPJ_UINT32(minSide))
            ++reduction;
        if (reduction > 0 && !opj_set_decoded_resolution_factor(codec.get(), OPJ_UINT32(reduction)))
            return QStringLiteral("the JPEG 2000 decoder refused a reduction by %1 levels (%2)")
                .arg(reduction)
                .arg(error);
    }
    if (!opj_decode(codec.get(), stream.get(), image.get()) || !opj_end_decompress(codec.get(), stream.get()))
        return QStringLiteral("the JPEG 2000 code stream cannot be decoded (%1)")
            .arg(error.isEmpty() ? QStringLiteral("damaged") : error);
    const opj_image_comp_t &first = image->comps[0];
    const int w = int(first.w), h = int(first.h), n = int(image->numcomps);
    if (w <= 0 || h <= 0)
        return QStringLiteral("the JPEG 2000 image decoded to no pixels");
    for (int c = 0; c < n; ++c)
        if (!image->comps[c].data || int(image->comps[c].w) != w || int(image->comps[c].h) != h)
            return QStringLiteral("the JPEG 2000 components decoded to different sizes");
    out->width = w;
    out->height = h;
    out->components = n;
    out->fullWidth = int(fullW);
    out->fullHeight = int(fullH);
    out->reduction = reduction;
    out->precision = int(first.prec);
    out->isSigned = first.sgnd != 0;
    const std::size_t pixels = std::size_t(w) * std::size_t(h);
    out->samples.resize(pixels * std::size_t(n));
    if (n == 1)
        std::memcpy(out->samples.data(), first.data, pixels * sizeof(qint32));
    else
        for (int c = 0; c < n; ++c) {
            const OPJ_INT32 *src = image->comps[c].data;
            for (std::size_t i = 0; i < pixels; ++i)
                out->samples[i * std::size_t(n) + std::size_t(c)] = src[i];
        }
    return QString();
}

} // namespace lepton
