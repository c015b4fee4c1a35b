// SPDX-License-Identifier: GPL-3.0-or-later
// lepton-tokenizer: SentencePiece in a process of its own. Debian's libsentencepiece carries its
// own copy of protobuf-lite with exported symbols, which clash with the protobuf LibTorch loads
// (a crash at start-up, or a version check that aborts), so the tokenizer never shares a process
// with LibTorch. The core's TextTokenizer starts this helper and talks to it over its standard
// input and output, one request per line (texts and models base64-encoded):
//   TRAIN <n> <unigram|bpe> <vocab size> <threads>   then n lines of text
//        → OK <model>                 | ERR <message>
//   LOAD <model>                      → OK <pieces> <piece> <piece> … | ERR <message>
//   ENCODE <n> <max tokens>           then n lines of text
//        → n lines "id,begin,end id,begin,end …" (UTF-8 byte offsets in the text)
//   IDS <n> <max tokens>              then n lines of text
//        → n lines "id id …" (what training needs: no offsets; on every core)
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <QByteArray>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

std::string fromBase64(const std::string &s)
{
    return QByteArray::fromBase64(QByteArray::fromStdString(s)).toStdString();
}

std::string toBase64(const std::string &s)
{
    return QByteArray::fromStdString(s).toBase64().toStdString();
}

class Texts : public sentencepiece::SentenceIterator
{
public:
    explicit Texts(const std::vector<std::string> &texts) : m_texts(texts) { }
    bool done() const override { return m_at >= m_texts.size(); }
    void Next() override { ++m_at; }
    const std::string &value() const override { return m_texts[m_at]; }
    sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

private:
    const std::vector<std::string> &m_texts;
    std::size_t m_at = 0;
};

std::vector<std::string> readTexts(std::size_t n)
{
    std::vector<std::string> texts;
    texts.reserve(n);
    std::string line;
    for (std::size_t i = 0; i < n && std::getline(std::cin, line); ++i)
        texts.push_back(fromBase64(line));
    return texts;
}

} // namespace

int main()
{
    std::ios::sync_with_stdio(false);
    sentencepiece::SentencePieceProcessor processor;
    bool loaded = false;
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string command;
        in >> command;
        if (command == "TRAIN") {
            std::size_t n = 0;
            std::string type;
            int vocab = 0, threads = 1;
            in >> n >> type >> vocab >> threads;
            const std::vector<std::string> texts = readTexts(n);
            // Byte fallback takes 256 pieces, and every character of the text one: a smaller
            // vocabulary is raised to that (SentencePiece refuses it otherwise).
            std::unordered_set<std::string> characters;
            for (const std::string &t : texts)
                for (std::size_t i = 0; i < t.size();) {
                    const unsigned char c = static_cast<unsigned char>(t[i]);
                    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
                    characters.insert(t.substr(i, len));
                    i += len;
                }
            vocab = std::max(vocab, static_cast<int>(256 + 2 + characters.size() + 8));
            const std::unordered_map<std::string, std::string> args {
                { "model_type", type },
                { "vocab_size", std::to_string(vocab) },
                { "hard_vocab_limit", "false" }, // fewer pieces when the text has fewer
                { "pad_id", "0" },
                { "unk_id", "1" },
                { "bos_id", "-1" },
                { "eos_id", "-1" },
                { "byte_fallback", "true" }, // unseen characters become their UTF-8 bytes
                { "character_coverage", "0.9995" },
                { "normalization_rule_name", "nmt_nfkc_cf" },
                { "num_threads", std::to_string(threads) },
                { "input_sentence_size", "200000" },
                { "shuffle_input_sentence", "true" },
                { "max_sentence_length", "65536" },
                { "minloglevel", "2" },
            };
            Texts it(texts);
            std::string model;
            const auto st = sentencepiece::SentencePieceTrainer::Train(args, &it, &model);
            std::cout << (st.ok() ? "OK " + toBase64(model) : "ERR " + toBase64(st.ToString())) << '\n' << std::flush;
        } else if (command == "LOAD") {
            std::string model;
            in >> model;
            const auto st = processor.LoadFromSerializedProto(fromBase64(model));
            loaded = st.ok();
            if (!loaded) {
                std::cout << "ERR " << toBase64(st.ToString()) << '\n' << std::flush;
                continue;
            }
            const int size = processor.GetPieceSize();
            std::cout << "OK " << size;
            for (int i = 0; i < size; ++i)
                std::cout << ' ' << toBase64(processor.IdToPiece(i));
            std::cout << '\n' << std::flush;
        } else if (command == "ENCODE") {
            std::size_t n = 0;
            int maxTokens = 0;
            in >> n >> maxTokens;
            const std::vector<std::string> texts = readTexts(n);
            std::string out;
            for (const std::string &text : texts) {
                if (loaded && !text.empty()) {
                    const sentencepiece::ImmutableSentencePieceText spt = processor.EncodeAsImmutableProto(text);
                    const int count = static_cast<int>(spt.pieces_size());
                    const int kept = maxTokens > 0 ? std::min(count, maxTokens) : count;
                    for (int i = 0; i < kept; ++i) {
                        const auto p = spt.pieces(i);
                        if (i > 0)
                            out += ' ';
                        out += std::to_string(p.id()) + ',' + std::to_string(p.begin()) + ',' + std::to_string(p.end());
                    }
                }
                out += '\n';
            }
            std::cout << out << std::flush;
        } else if (command == "IDS") {
            std::size_t n = 0;
            int maxTokens = 0;
            in >> n >> maxTokens;
            const std::vector<std::string> texts = readTexts(n);
            // The texts in contiguous parts, one thread each (the processor is read-only here).
            const std::size_t parts = std::max<std::size_t>(
                1, std::min<std::size_t>(std::thread::hardware_concurrency(), texts.size() / 256 + 1));
            std::vector<std::string> out(parts);
            auto encodePart = [&](std::size_t part) {
                std::vector<int> ids;
                for (std::size_t k = part * texts.size() / parts; k < (part + 1) * texts.size() / parts; ++k) {
                    ids.clear();
                    if (loaded && !texts[k].empty() && processor.Encode(texts[k], &ids).ok()) {
                        const std::size_t kept
                            = maxTokens > 0 ? std::min(ids.size(), static_cast<std::size_t>(maxTokens)) : ids.size();
                        for (std::size_t i = 0; i < kept; ++i) {
                            if (i > 0)
                                out[part] += ' ';
                            out[part] += std::to_string(ids[i]);
                        }
                    }
                    out[part] += '\n';
                }
            };
            std::vector<std::thread> threads;
            for (std::size_t part = 1; part < parts; ++part)
                threads.emplace_back(encodePart, part);
            encodePart(0);
            for (std::thread &t : threads)
                t.join();
            for (const std::string &o : out)
                std::cout << o;
            std::cout << std::flush;
        } else if (!command.empty()) {
            std::cout << "ERR " << toBase64("unknown request " + command) << '\n' << std::flush;
        }
    }
    return 0;
}
