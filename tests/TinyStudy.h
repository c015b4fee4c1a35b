// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A small study for model and trainer tests: 64 cases whose label depends on a bright blob in a
// 32 px image, a record value and the trend of an event value, so a tiny model can learn it.

#include "data/Importer.h"
#include "dataset/FeatureSpec.h"
#include "store/DatasetRepository.h"
#include "store/Study.h"
#include "train/TrainConfig.h"

#include <QFile>
#include <QString>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <memory>

namespace tiny {

inline qint64 makeStudy(const QString &dir, std::shared_ptr<lepton::Study> &study, int cases = 64)
{
    QByteArray m = "case_id,label,image,x,kind\n";
    QByteArray e = "case_id,time,v\n";
    for (int i = 0; i < cases; ++i) {
        const bool positive = i % 2 == 1;
        cv::Mat img(32, 32, CV_8UC1, cv::Scalar(60 + (i * 7) % 40));
        if (positive)
            cv::circle(img, cv::Point(8 + (i * 5) % 16, 8 + (i * 3) % 16), 4, cv::Scalar(230), -1);
        cv::imwrite(QString(dir + QStringLiteral("/i%1.png").arg(i)).toStdString(), img);
        const double x = (positive ? 1.0 : -1.0) + ((i * 37) % 10) / 10.0;
        m += QStringLiteral("T%1,%2,i%1.png,%3,%4\n")
                 .arg(i)
                 .arg(positive ? QStringLiteral("yes") : QStringLiteral("no"))
                 .arg(x)
                 .arg(i % 3 ? QStringLiteral("a") : QStringLiteral("b"))
                 .toUtf8();
        for (int t = 0; t < 2 + i % 4; ++t)
            e += QStringLiteral("T%1,%2,%3\n").arg(i).arg(t).arg(positive ? t : -t).toUtf8();
    }
    for (const auto &[name, bytes] :
        { std::pair { QStringLiteral("/m.csv"), m }, std::pair { QStringLiteral("/e.csv"), e } }) {
        QFile f(dir + name);
        if (!f.open(QIODevice::WriteOnly))
            return -1;
        f.write(bytes);
    }
    lepton::ImportOptions o;
    o.manifestPath = dir + QStringLiteral("/m.csv");
    o.eventsPath = dir + QStringLiteral("/e.csv");
    auto out = lepton::Importer::run(o);
    if (!out.dataset)
        return -1;
    auto s = lepton::Study::open(dir + QStringLiteral("/tiny.lepton"), lepton::Study::Mode::CreateOrOpen);
    if (!s)
        return -1;
    study = s.value();
    auto id = lepton::DatasetRepository(*study).save(*out.dataset, out.report);
    return id ? id.value() : -1;
}

/// A model small enough for unit tests, fitted to the data's fields and events (`config().model`
/// before the trainer fills the data's shape in).
inline lepton::ModelConfig modelConfig(const lepton::FeatureSpec &spec)
{
    lepton::ModelConfig c;
    c.imageSize = 32;
    c.width = 4;
    c.depth = 2;
    c.embedDim = 8;
    c.hidden = 8;
    c.numClasses = 2;
    c.eventWidth = spec.eventWidth();
    for (const auto &f : spec.recordFields)
        c.fieldCategories.push_back(
            f.type == lepton::FieldType::Categorical ? static_cast<int>(f.categories.size()) : 0);
    return c;
}

/// A model and schedule small enough to train on the tiny study in a second, on the CPU (the
/// determinism the tests compare is the CPU's).
inline lepton::TrainConfig config()
{
    lepton::TrainConfig c;
    c.model.imageSize = 32;
    c.model.width = 4;
    c.model.depth = 2;
    c.model.embedDim = 8;
    c.model.hidden = 8;
    c.epochs = 4;
    c.batchSize = 8;
    c.learningRate = 1e-2;
    c.workers = 2;
    c.threads = 1;
    c.patience = 0;
    c.device = QStringLiteral("cpu");
    return c;
}

} // namespace tiny
