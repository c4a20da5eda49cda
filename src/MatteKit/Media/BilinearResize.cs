namespace MatteKit.Media;

/// <summary>Resampling of 8-bit RGB images outside the network (background plates of another size).</summary>
internal static class BilinearResize
{
    /// <summary>Bilinear resampling with half-pixel centres (no antialiasing: plates are near the frame size).</summary>
    public static RgbImage Rgb(RgbImage image, int width, int height)
    {
        var src = image.Pixels;
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            double sy = Math.Max(0, (y + 0.5) * image.Height / height - 0.5);
            int y0 = Math.Min((int)sy, image.Height - 1), y1 = Math.Min(y0 + 1, image.Height - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                double sx = Math.Max(0, (x + 0.5) * image.Width / width - 0.5);
                int x0 = Math.Min((int)sx, image.Width - 1), x1 = Math.Min(x0 + 1, image.Width - 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double top = src[(y0 * image.Width + x0) * 3 + c] * (1 - fx) + src[(y0 * image.Width + x1) * 3 + c] * fx;
                    double bottom = src[(y1 * image.Width + x0) * 3 + c] * (1 - fx) + src[(y1 * image.Width + x1) * 3 + c] * fx;
                    dst[(y * width + x) * 3 + c] = (byte)Math.Clamp(Math.Round(top * (1 - fy) + bottom * fy), 0, 255);
                }
            }
        }
        return new RgbImage(width, height, dst);
    }

    /// <summary>
    /// The image scaled to cover <paramref name="width"/> x <paramref name="height"/> and its centre cut out (no bars,
    /// no distortion), as ffmpeg's cover filter does for file backgrounds. A much larger image is first averaged down
    /// by whole blocks, so that bilinear sampling does not skip most of its pixels.
    /// </summary>
    public static RgbImage Cover(RgbImage image, int width, int height)
    {
        double scale = Math.Max((double)width / image.Width, (double)height / image.Height);
        int factor = scale < 0.5 ? (int)Math.Floor(1 / scale) : 1;
        if (factor > 1)
        {
            var reduced = Resampler.ReduceByArea(image.Pixels, image.Width, image.Height, 3, factor, out int rw, out int rh);
            image = new RgbImage(rw, rh, reduced);
            scale = Math.Max((double)width / image.Width, (double)height / image.Height);
        }
        // The source window the output covers: width / scale by height / scale, centred.
        double left = (image.Width - width / scale) / 2, top = (image.Height - height / scale) / 2;
        var src = image.Pixels;
        var dst = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            double sy = Math.Clamp(top + (y + 0.5) / scale - 0.5, 0, image.Height - 1);
            int y0 = (int)sy, y1 = Math.Min(y0 + 1, image.Height - 1);
            double fy = sy - y0;
            for (int x = 0; x < width; x++)
            {
                double sx = Math.Clamp(left + (x + 0.5) / scale - 0.5, 0, image.Width - 1);
                int x0 = (int)sx, x1 = Math.Min(x0 + 1, image.Width - 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double upper = src[(y0 * image.Width + x0) * 3 + c] * (1 - fx) + src[(y0 * image.Width + x1) * 3 + c] * fx;
                    double lower = src[(y1 * image.Width + x0) * 3 + c] * (1 - fx) + src[(y1 * image.Width + x1) * 3 + c] * fx;
                    dst[(y * width + x) * 3 + c] = (byte)Math.Clamp(Math.Round(upper * (1 - fy) + lower * fy), 0, 255);
                }
            }
        }
        return new RgbImage(width, height, dst);
    }
}
