// The C++ side of DICOM files: GDCM decodes pixel data and writes datasets; zlib inflates.
// Every exported body runs inside `guarded`, so no exception reaches Swift.
#include "cdicom.h"

#include <gdcmConfigure.h>
#include <gdcmDataElement.h>
#include <gdcmFile.h>
#include <gdcmImageReader.h>
#include <gdcmPhotometricInterpretation.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>
#include <gdcmVR.h>
#include <gdcmWriter.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

struct cd_buffer_s {
  std::vector<char> bytes;
};
// The writer owns its gdcm::File through GDCM's reference count (a File held by value would be
// freed by the first SmartPointer that lets go of it).
struct cd_writer_s {
  gdcm::Writer writer;
};

namespace {

thread_local std::string last_error;

template <typename R, typename F>
R guarded(R failure, F &&body) {
  try {
    return body();
  } catch (const std::exception &e) {
    last_error = e.what();
  } catch (...) {
    last_error = "unknown C++ exception";
  }
  return failure;
}

#define CD_HANDLE(type, ...) return guarded<type>(nullptr, [&]() -> type { __VA_ARGS__ })
#define CD_STATUS(...) return guarded<int>(-1, [&]() -> int { __VA_ARGS__; return 0; })

// GDCM is not documented as thread-safe and its reference counts (gdcm::Object) are not atomic:
// every GDCM call holds this lock (the Swift pixel pipeline after decoding still runs in parallel).
std::mutex gdcm_lock;

// GDCM prints warnings and errors on its own global streams (from any thread); messages are
// made on the Swift side instead.
void silence_gdcm() {
  static std::once_flag once;
  std::call_once(once, [] {
    gdcm::Trace::DebugOff();
    gdcm::Trace::WarningOff();
    gdcm::Trace::ErrorOff();
  });
}

}  // namespace

extern "C" {

const char *cd_last_error(void) { return last_error.c_str(); }

const char *cd_version(void) { return GDCM_VERSION; }

cd_buffer cd_decode(const char *path, cd_pixel_layout *layout) {
  CD_HANDLE(cd_buffer, {
    std::lock_guard<std::mutex> hold(gdcm_lock);
    silence_gdcm();
    gdcm::ImageReader reader;
    reader.SetFileName(path);
    if (!reader.Read()) throw std::runtime_error("GDCM cannot parse the file as a DICOM image");
    const gdcm::Image &image = reader.GetImage();
    const gdcm::PixelFormat &format = image.GetPixelFormat();
    std::memset(layout, 0, sizeof(*layout));
    layout->columns = image.GetDimension(0);
    layout->rows = image.GetDimension(1);
    layout->frames = image.GetNumberOfDimensions() > 2 ? image.GetDimension(2) : 1;
    layout->samples_per_pixel = format.GetSamplesPerPixel();
    layout->bits_allocated = format.GetBitsAllocated();
    layout->bits_stored = format.GetBitsStored();
    layout->high_bit = format.GetHighBit();
    layout->pixel_representation = format.GetPixelRepresentation();
    layout->planar_configuration = static_cast<uint16_t>(image.GetPlanarConfiguration());
    const char *photometric = gdcm::PhotometricInterpretation::GetPIString(image.GetPhotometricInterpretation());
    std::strncpy(layout->photometric, photometric ? photometric : "", sizeof(layout->photometric) - 1);
    auto *pixels = new cd_buffer_s;
    try {
      pixels->bytes.resize(image.GetBufferLength());
      if (!image.GetBuffer(pixels->bytes.data())) {
        const char *syntax = image.GetTransferSyntax().GetString();
        throw std::runtime_error(std::string("GDCM could not decode the pixel data (transfer syntax ") +
                                 (syntax ? syntax : "?") + "): corrupt or unsupported compressed stream");
      }
    } catch (...) {
      delete pixels;
      throw;
    }
    return pixels;
  });
}

const void *cd_buffer_data(cd_buffer b) { return b ? b->bytes.data() : nullptr; }

size_t cd_buffer_length(cd_buffer b) { return b ? b->bytes.size() : 0; }

void cd_buffer_free(cd_buffer b) { delete b; }

cd_buffer cd_inflate(const void *input, size_t length, size_t capacity) {
  CD_HANDLE(cd_buffer, {
    z_stream stream;
    std::memset(&stream, 0, sizeof(stream));
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw std::runtime_error("zlib cannot start inflating");
    auto *out = new cd_buffer_s;
    const size_t chunk = 1 << 20;
    stream.next_in = static_cast<Bytef *>(const_cast<void *>(input));
    stream.avail_in = static_cast<uInt>(length);
    int status = Z_OK;
    while (status != Z_STREAM_END) {
      if (out->bytes.size() >= capacity) {
        inflateEnd(&stream);
        delete out;
        throw std::runtime_error("the deflated dataset inflates to more than " + std::to_string(capacity) + " bytes");
      }
      size_t before = out->bytes.size();
      out->bytes.resize(std::min(capacity, before + chunk));
      stream.next_out = reinterpret_cast<Bytef *>(out->bytes.data() + before);
      stream.avail_out = static_cast<uInt>(out->bytes.size() - before);
      status = inflate(&stream, Z_NO_FLUSH);
      out->bytes.resize(out->bytes.size() - stream.avail_out);
      if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // input ended without a final block
      if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
        std::string message = stream.msg ? stream.msg : "error " + std::to_string(status);
        inflateEnd(&stream);
        delete out;
        throw std::runtime_error("corrupt deflated dataset (zlib: " + message + ")");
      }
    }
    inflateEnd(&stream);
    return out;
  });
}

cd_writer cd_writer_new(void) {
  CD_HANDLE(cd_writer, {
    std::lock_guard<std::mutex> hold(gdcm_lock);
    silence_gdcm();
    auto *writer = new cd_writer_s;
    writer->writer.GetFile().GetHeader().SetDataSetTransferSyntax(gdcm::TransferSyntax::ExplicitVRLittleEndian);
    return writer;
  });
}

int cd_writer_set(cd_writer w, uint16_t group, uint16_t element, const char *vr, const void *value, size_t length) {
  CD_STATUS({
    if (!w) throw std::invalid_argument("cd_writer_set: null writer");
    std::lock_guard<std::mutex> hold(gdcm_lock);
    gdcm::VR::VRType type = gdcm::VR::GetVRType(vr);
    if (type == gdcm::VR::INVALID || type == gdcm::VR::VR_END) throw std::invalid_argument(std::string("unknown VR ") + vr);
    if (length % 2 != 0) throw std::invalid_argument("element values must have even length");
    gdcm::DataElement de(gdcm::Tag(group, element));
    de.SetVR(type);
    de.SetByteValue(length ? static_cast<const char *>(value) : "", static_cast<uint32_t>(length));
    w->writer.GetFile().GetDataSet().Replace(de);
  });
}

int cd_writer_write(cd_writer w, const char *path) {
  CD_STATUS({
    if (!w) throw std::invalid_argument("cd_writer_write: null writer");
    std::lock_guard<std::mutex> hold(gdcm_lock);
    w->writer.SetFileName(path);
    if (!w->writer.Write()) throw std::runtime_error(std::string("GDCM could not write ") + path);
  });
}

void cd_writer_free(cd_writer w) {
  guarded<int>(-1, [&]() -> int {
    std::lock_guard<std::mutex> hold(gdcm_lock);
    delete w;
    return 0;
  });
}

}  // extern "C"
