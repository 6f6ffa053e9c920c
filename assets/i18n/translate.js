// Page text in the reader's language, looked up in the browser: the catalogues come once, as a
// static module, so no state update ever carries page words. The message id is the English text.
import { useEffect } from "react";
import { catalogue } from "./catalogue.js";

export function translate(language, message) {
  const words = catalogue[language];
  const translated = words && words[message];
  return translated ? translated : message;
}

// "{name}" placeholders are filled after translation: the words move, the values do not.
export function translateFormat(language, message, values) {
  return translate(language, message).replace(/\{(\w+)\}/g, (whole, name) =>
    values[name] === undefined || values[name] === null ? whole : String(values[name]),
  );
}

// <html lang> and the tab's title follow the chosen language.
export function DocumentLanguage({ language, title }) {
  useEffect(() => {
    document.documentElement.lang = language;
    if (title) {
      document.title = translate(language, title) + " · OneClass";
    }
  }, [language, title]);
  return null;
}
