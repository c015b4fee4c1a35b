// SPDX-License-Identifier: GPL-3.0-or-later
#include "Device.h"
#include "DeviceInfo.h"

#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#ifdef LEPTON_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

// LibTorch 2.4 made autocast's switches per device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define LEPTON_AUTOCAST_PER_DEVICE 1
#endif

namespace lepton {

Result<torch::Device> resolveDevice(const QString &name)
{
    const bool cuda = torch::cuda::is_available();
    if (name == QLatin1String("cuda") && !cuda)
        return Result<torch::Device>::failure(builtWithCuda()
                ? QStringLiteral("device: CUDA was asked for, but no CUDA device is visible (check the driver "
                                 "and CUDA_VISIBLE_DEVICES); use --device cpu (or auto)")
                : QStringLiteral("device: CUDA was asked for, but this LibTorch build has no CUDA support; use "
                                 "--device cpu (or auto)"));
    if (name == QLatin1String("cuda") || (name == QLatin1String("auto") && cuda))
        return torch::Device(torch::kCUDA, 0);
    return torch::Device(torch::kCPU);
}

CudaAvailability cudaAvailability()
{
    CudaAvailability a;
    if (!builtWithCuda()) {
        a.reason = QStringLiteral("This build's LibTorch has no CUDA support; training runs on the CPU.");
        return a;
    }
    if (!torch::cuda::is_available()) {
        a.reason = QStringLiteral("No CUDA device is visible: check the driver and CUDA_VISIBLE_DEVICES.");
        return a;
    }
    a.available = true;
    a.name = deviceName(torch::Device(torch::kCUDA, 0));
    return a;
}

bool builtWithCuda()
{
#ifdef LEPTON_WITH_CUDA
    return true;
#else
    return false;
#endif
}

QString deviceName(const torch::Device &device)
{
    if (!device.is_cuda())
        return QStringLiteral("CPU");
#ifdef LEPTON_WITH_CUDA
    const cudaDeviceProp *p = at::cuda::getDeviceProperties(device.has_index() ? device.index() : 0);
    return QStringLiteral("%1 (compute %2.%3, %4 MiB)")
        .arg(QString::fromLatin1(p->name))
        .arg(p->major)
        .arg(p->minor)
        .arg(p->totalGlobalMem >> 20);
#else
    return QStringLiteral("CUDA device %1").arg(device.has_index() ? device.index() : 0);
#endif
}

bool supportsBFloat16(const torch::Device &device)
{
    if (!device.is_cuda())
        return false;
#ifdef LEPTON_WITH_CUDA
    return at::cuda::getDeviceProperties(device.has_index() ? device.index() : 0)->major >= 8;
#else
    return false;
#endif
}

AutocastScope::AutocastScope(bool enabled) : m_enabled(enabled)
{
    if (!m_enabled)
        return;
#ifdef LEPTON_AUTOCAST_PER_DEVICE
    m_wasEnabled = at::autocast::is_autocast_enabled(at::kCUDA);
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    m_wasEnabled = at::autocast::is_enabled();
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
#endif
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope()
{
    if (!m_enabled)
        return;
    // The cast weights are cached for the scope; the last scope out frees them.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
#ifdef LEPTON_AUTOCAST_PER_DEVICE
    at::autocast::set_autocast_enabled(at::kCUDA, m_wasEnabled);
#else
    at::autocast::set_enabled(m_wasEnabled);
#endif
}

} // namespace lepton
