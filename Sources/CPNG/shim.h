#ifndef NNZOO_CPNG_SHIM_H
#define NNZOO_CPNG_SHIM_H
// Writing uses libpng's simplified API (png_image_*), which reports failure in image.message.
// Reading for datasets uses the classic API (for its raw pixel values, limits and warnings), which
// reports errors by longjmp: a longjmp across Swift frames is undefined behaviour, so every such
// call runs inside nnzoo_png_decode below, which sets the jump point itself and returns a status.
#include <png.h>
#include <stdio.h>
#include <string.h>

static inline png_uint_32 nnzoo_png_image_version(void) { return PNG_IMAGE_VERSION; }
static inline png_uint_32 nnzoo_png_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline png_uint_32 nnzoo_png_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline png_uint_32 nnzoo_png_format_rgba(void) { return PNG_FORMAT_RGBA; }
static inline int nnzoo_png_image_failed(const png_image *image) {
    return PNG_IMAGE_FAILED(*image) ? 1 : 0;
}
static inline size_t nnzoo_png_image_size(const png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}

/// What a PNG holds and what went wrong. `channels` counts the channels nnzoo_png_decode writes:
/// 1 (gray), 2 (gray and alpha), 3 (RGB, or an expanded palette) or 4 (RGBA).
typedef struct {
    unsigned int width;
    unsigned int height;
    int bit_depth;
    int color_type;
    int interlaced;
    int channels;
    int warnings;
    char message[256];
} nnzoo_png_info;

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    nnzoo_png_info *info;
} nnzoo_png_source;

static inline void nnzoo_png_read_data(png_structp png, png_bytep out, size_t length) {
    nnzoo_png_source *source = (nnzoo_png_source *)png_get_io_ptr(png);
    if (length > source->size - source->offset) png_error(png, "the file ends early (it is truncated)");
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

static inline void nnzoo_png_on_error(png_structp png, png_const_charp message) {
    nnzoo_png_source *source = (nnzoo_png_source *)png_get_error_ptr(png);
    snprintf(source->info->message, sizeof(source->info->message), "%s", message);
    png_longjmp(png, 1);
}

static inline void nnzoo_png_on_warning(png_structp png, png_const_charp message) {
    nnzoo_png_source *source = (nnzoo_png_source *)png_get_error_ptr(png);
    if (source->info->warnings == 0) snprintf(source->info->message, sizeof(source->info->message), "%s", message);
    source->info->warnings += 1;
}

/// Reads the PNG in `data`: with `out` NULL only its header (into `info`), else the whole image
/// into `out` (`out_size` bytes, rows of `width * channels` bytes, 8 bits per channel). Palettes are
/// expanded to RGB, gray below 8 bits widened, 16-bit samples scaled to 8 bits (v * 255 / 65535,
/// rounded); no gamma or colour conversion is applied, and transparency chunks are ignored (the
/// alpha of GA and RGBA files is kept). Images wider or taller than `max_side` are refused before
/// anything is allocated for them. Returns 0, or -1 with `info->message` set.
static inline int nnzoo_png_decode(const unsigned char *data, size_t size, unsigned char *out, size_t out_size,
                                   unsigned int max_side, nnzoo_png_info *info) {
    memset(info, 0, sizeof(*info));
    nnzoo_png_source source = {data, size, 0, info};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, nnzoo_png_on_error,
                                             nnzoo_png_on_warning);
    if (png == NULL) {
        snprintf(info->message, sizeof(info->message), "libpng could not start (out of memory)");
        return -1;
    }
    png_infop png_info = png_create_info_struct(png);
    if (png_info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(info->message, sizeof(info->message), "libpng could not start (out of memory)");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &png_info, NULL);
        return -1;
    }
    png_set_user_limits(png, max_side, max_side);
    png_set_chunk_malloc_max(png, 8u << 20);
    png_set_chunk_cache_max(png, 1000);
    png_set_read_fn(png, &source, nnzoo_png_read_data);
    png_read_info(png, png_info);
    info->width = png_get_image_width(png, png_info);
    info->height = png_get_image_height(png, png_info);
    info->bit_depth = png_get_bit_depth(png, png_info);
    info->color_type = png_get_color_type(png, png_info);
    info->interlaced = png_get_interlace_type(png, png_info) != PNG_INTERLACE_NONE;
    // Transparency chunks (tRNS) would add an alpha channel to gray, RGB and palette images: it is
    // stripped again, so the channels are what the colour type says.
    if (!(info->color_type & PNG_COLOR_MASK_ALPHA)) png_set_strip_alpha(png);
    if (info->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (info->color_type == PNG_COLOR_TYPE_GRAY && info->bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (info->bit_depth == 16) png_set_scale_16(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, png_info);
    info->channels = png_get_channels(png, png_info);
    if (out == NULL) {
        png_destroy_read_struct(&png, &png_info, NULL);
        return 0;
    }
    size_t row_bytes = png_get_rowbytes(png, png_info);
    if (row_bytes != (size_t)info->width * (size_t)info->channels || row_bytes * info->height > out_size) {
        snprintf(info->message, sizeof(info->message), "its rows do not have the size its header gives");
        png_destroy_read_struct(&png, &png_info, NULL);
        return -1;
    }
    for (int pass = 0; pass < passes; pass++) {
        for (unsigned int y = 0; y < info->height; y++) png_read_row(png, out + (size_t)y * row_bytes, NULL);
    }
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &png_info, NULL);
    return 0;
}
#endif
