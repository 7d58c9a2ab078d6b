// Headless Debian Chromium for the browser tests, the one way (see ../shared/README.md): SwiftShader gives
// WebGL without a GPU; a container's tiny /dev/shm would crash the renderer.
export function launchChromium(chromium) {
  return chromium.launch({
    executablePath: process.env.COLDSPOT_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
           '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
           '--disable-dev-shm-usage'],
  });
}
