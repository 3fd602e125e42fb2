// Choices remembered on this device (sound, vibration, camera on or off) and small helpers the door's
// modules share. localStorage can be missing or refuse writes (private browsing): then a choice lasts until
// the page closes.

export const PREFS = { sound: "foros.puerta.sonido", vibrate: "foros.puerta.vibracion", camera: "foros.puerta.camara" };

export function readPref(key, fallback) {
  try {
    const value = window.localStorage.getItem(key);
    return value === null ? fallback : value === "1";
  } catch (error) {
    return fallback;
  }
}

export function writePref(key, on) {
  try {
    window.localStorage.setItem(key, on ? "1" : "0");
  } catch (error) {
    // private browsing: the choice lasts until the page closes
  }
}
