#ifndef NNZOO_CJPEG_SHIM_H
#define NNZOO_CJPEG_SHIM_H
// libjpeg reports errors by calling error_exit, which must not return: the usual answer is a
// longjmp back to a setjmp. A longjmp across Swift frames is undefined behaviour, so every libjpeg
// call that can fail runs inside the two functions below, which set the jump point themselves and
// return a status: Swift only ever calls these, and no Swift frame lies between the setjmp and a
// longjmp.
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

/// What a JPEG's header says, and what went wrong. `message` holds libjpeg's text for an error, or
/// for the first warning about damaged data (a truncated file, a bad Huffman code), which `warnings`
/// counts; extraneous bytes between markers, which many cameras write, are not counted.
typedef struct {
    unsigned int width;
    unsigned int height;
    /// Components in the file: 1 (gray), 3 (YCbCr or RGB) or 4 (CMYK, YCCK).
    int components;
    /// libjpeg's J_COLOR_SPACE of the file.
    int color_space;
    int progressive;
    int warnings;
    char message[JMSG_LENGTH_MAX];
} nnzoo_jpeg_info;

typedef struct {
    struct jpeg_error_mgr pub;
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    nnzoo_jpeg_info *info;
    int max_scans;
} nnzoo_jpeg_context;

static inline void nnzoo_jpeg_error_exit(j_common_ptr cinfo) {
    nnzoo_jpeg_context *context = (nnzoo_jpeg_context *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, context->info->message);
    longjmp(context->jump, 1);
}

static inline void nnzoo_jpeg_emit_message(j_common_ptr cinfo, int level) {
    // level -1 is a warning (corrupt or truncated data); higher levels are traces.
    if (level >= 0 || cinfo->err->msg_code == JWRN_EXTRANEOUS_DATA) return;
    nnzoo_jpeg_context *context = (nnzoo_jpeg_context *)cinfo->err;
    if (context->info->warnings == 0) (*cinfo->err->format_message)(cinfo, context->info->message);
    context->info->warnings += 1;
}

static inline void nnzoo_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

// A progressive file may hold thousands of scans, each a pass over the whole image; a file that
// claims more than `max_scans` is refused rather than decoded for minutes.
static inline void nnzoo_jpeg_progress(j_common_ptr cinfo) {
    nnzoo_jpeg_context *context = (nnzoo_jpeg_context *)cinfo->err;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > context->max_scans) {
        snprintf(context->info->message, JMSG_LENGTH_MAX, "it has more than %d scans", context->max_scans);
        longjmp(context->jump, 1);
    }
}

static inline void nnzoo_jpeg_setup(struct jpeg_decompress_struct *cinfo, nnzoo_jpeg_context *context,
                             nnzoo_jpeg_info *info, long max_memory) {
    memset(info, 0, sizeof(*info));
    context->info = info;
    context->max_scans = 1000;
    cinfo->err = jpeg_std_error(&context->pub);
    context->pub.error_exit = nnzoo_jpeg_error_exit;
    context->pub.emit_message = nnzoo_jpeg_emit_message;
    context->pub.output_message = nnzoo_jpeg_output_message;
    jpeg_create_decompress(cinfo);
    cinfo->mem->max_memory_to_use = max_memory;
    context->progress.progress_monitor = nnzoo_jpeg_progress;
    cinfo->progress = &context->progress;
}

static inline void nnzoo_jpeg_describe(struct jpeg_decompress_struct *cinfo, nnzoo_jpeg_info *info) {
    info->width = cinfo->image_width;
    info->height = cinfo->image_height;
    info->components = cinfo->num_components;
    info->color_space = (int)cinfo->jpeg_color_space;
    info->progressive = cinfo->progressive_mode ? 1 : 0;
}

/// Reads the header of the JPEG in `data` into `info`. Returns 0, or -1 with `info->message` set.
static inline int nnzoo_jpeg_read_header(const unsigned char *data, unsigned long size, nnzoo_jpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    nnzoo_jpeg_context context;
    nnzoo_jpeg_setup(&cinfo, &context, info, 64L << 20);
    if (setjmp(context.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    nnzoo_jpeg_describe(&cinfo, info);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

/// Decodes the JPEG in `data` into `out` (`out_size` bytes, rows of `width * channels` bytes):
/// gray files as 1 channel, colour files as RGB. The caller has read the header with
/// `nnzoo_jpeg_read_header` and sized `out` from it; a file whose size or component count is not
/// `expected_width` x `expected_height` with `expected_components` is refused. libjpeg's own memory
/// is capped at `max_memory` bytes. Returns 0, or -1 with `info->message` set (warnings, such as
/// premature end of data, are counted in `info->warnings` and leave a complete image).
static inline int nnzoo_jpeg_decode(const unsigned char *data, unsigned long size, unsigned char *out,
                                    size_t out_size, unsigned int expected_width, unsigned int expected_height,
                                    int expected_components, long max_memory, nnzoo_jpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    nnzoo_jpeg_context context;
    nnzoo_jpeg_setup(&cinfo, &context, info, max_memory);
    if (setjmp(context.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    nnzoo_jpeg_describe(&cinfo, info);
    if (cinfo.image_width != expected_width || cinfo.image_height != expected_height ||
        cinfo.num_components != expected_components || (expected_components != 1 && expected_components != 3)) {
        snprintf(info->message, JMSG_LENGTH_MAX, "its header changed between two reads");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    cinfo.out_color_space = expected_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if ((size_t)cinfo.output_components != (size_t)expected_components ||
        stride * (size_t)cinfo.output_height > out_size) {
        snprintf(info->message, JMSG_LENGTH_MAX, "its decoded size does not match its header");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + (size_t)cinfo.output_scanline * stride;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return 0;
}
#endif
