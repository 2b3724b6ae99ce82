// The tray icon, inlined so the bundled main process needs no asset path (32x32 PNG:
// a green disc with a white P). Packaged builds take their app icon from electron-builder.
export const TRAY_ICON_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAhUlEQVR42u3XQQrAIAwEQF/h4/qa/ryeC0XdbNKskEBvlZ1D0KS106rf1zP7UkJDMdZwGsEGUxDvcAgRFb6NSAXMDqIFI1ZyT8An4jjA6h8IsNM83oAXogAWANuEBQjpAfO1nA7wuoioR6kA6HP8+0zgBdAfydKHUomxXGIxkVnNJJbTyBqEi29P6UdDcgAAAABJRU5ErkJggg==';
