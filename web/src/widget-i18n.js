// The widget's own words, in French and English (the bot's words come from the server).

const STRINGS = {
  fr: {
    launcher: "Guichet : être orienté",
    title: "Guichet santé numérique",
    subtitle: "Orientation des innovateurs en santé numérique",
    close: "Fermer la discussion",
    log: "Messages de la discussion",
    input: "Votre message",
    placeholder: "Écrivez votre message…",
    send: "Envoyer",
    privacy:
      "Vos messages sont conservés par le guichet pour vous orienter et améliorer le service (avis compris) ; " +
      "n'y mettez aucune donnée de patient.",
    welcome:
      "Bonjour ! Décrivez votre projet (stade, produit, besoin) ou posez une question : " +
      "je vous indique les leviers de la stratégie santé numérique qui vous correspondent.",
    you: "Vous",
    bot: "Guichet",
    typing: "Le guichet écrit…",
    connecting: "Connexion au guichet…",
    offline: "Le guichet est injoignable pour le moment. Nouvel essai automatique ; vos messages ne sont pas envoyés.",
    reconnected: "Connexion rétablie.",
    not_sent: "Message non envoyé : le guichet est injoignable. Réessayez dans un instant.",
    intro: "Voici les leviers qui correspondent le mieux à votre projet :",
    why: "Pourquoi",
    status: "Où en est-on",
    amount: "Montant par projet",
    envelope: "Enveloppe nationale",
    reference: "Repère (pas un montant à obtenir)",
    as_of: "chiffre au {date}",
    and: " ; ",
    criteria_count: "Critères ({met} remplis sur {n}) et source",
    roadmap_file: "feuille-de-route.md",
    privacy_more: "En savoir plus",
    next: "Prochaine étape",
    source: "Source",
    sources: "Sources",
    criteria: "Critères",
    met: "rempli",
    not_met: "non rempli",
    unknown: "à vérifier",
    operator: "Opérateur",
    contact: "Contact",
    colon: " : ",
    roadmap_download: "Télécharger la feuille de route (Markdown)",
    helpful: "Cette réponse vous aide-t-elle ?",
    up: "Réponse utile",
    down: "Réponse pas utile",
    reasons_legend: "Qu'est-ce qui n'allait pas ? (facultatif)",
    "reason_incorrect": "Réponse inexacte",
    "reason_off-topic": "Hors sujet",
    "reason_missing-sources": "Sources manquantes",
    send_feedback: "Envoyer l'avis",
    thanks: "Merci pour votre avis !",
    feedback_failed: "Avis non enregistré (service injoignable).",
    options: "Choix proposés",
  },
  en: {
    launcher: "Guichet: get guidance",
    title: "Digital-health single window",
    subtitle: "Guidance for digital-health innovators",
    close: "Close the chat",
    log: "Chat messages",
    input: "Your message",
    placeholder: "Type your message…",
    send: "Send",
    privacy:
      "Your messages are kept by the single window to guide you and improve the service (feedback included); " +
      "do not include any patient data.",
    welcome:
      "Hello! Describe your project (stage, product, need) or ask a question: " +
      "I will point you to the levers of the digital-health strategy that fit you.",
    you: "You",
    bot: "Guichet",
    typing: "Guichet is typing…",
    connecting: "Connecting to the single window…",
    offline: "The single window cannot be reached right now. Retrying automatically; your messages are not sent.",
    reconnected: "Connection restored.",
    not_sent: "Message not sent: the single window cannot be reached. Try again in a moment.",
    intro: "Here are the levers that best fit your project:",
    why: "Why",
    status: "Where it stands",
    amount: "Amount per project",
    envelope: "National envelope",
    reference: "Reference figure (not an amount to get)",
    as_of: "figure as of {date}",
    and: "; ",
    criteria_count: "Criteria ({met} of {n} met) and source",
    roadmap_file: "roadmap.md",
    privacy_more: "More",
    next: "Next step",
    source: "Source",
    sources: "Sources",
    criteria: "Criteria",
    met: "met",
    not_met: "not met",
    unknown: "to check",
    operator: "Operator",
    contact: "Contact",
    colon: ": ",
    roadmap_download: "Download the roadmap (Markdown)",
    helpful: "Does this answer help?",
    up: "Helpful answer",
    down: "Unhelpful answer",
    reasons_legend: "What was wrong? (optional)",
    "reason_incorrect": "Incorrect answer",
    "reason_off-topic": "Off-topic",
    "reason_missing-sources": "Missing sources",
    send_feedback: "Send feedback",
    thanks: "Thank you for your feedback!",
    feedback_failed: "Feedback not recorded (service unreachable).",
    options: "Suggested choices",
  },
};

// Reason codes the API's POST /feedback accepts for a thumbs down (api/schemas.py FeedbackReason).
export const DOWN_REASONS = ["incorrect", "off-topic", "missing-sources"];

export function pickLang(value) {
  const lang = String(value || "").toLowerCase().slice(0, 2);
  return lang === "en" ? "en" : "fr";
}

export function translator(lang) {
  const table = STRINGS[pickLang(lang)];
  return (key, vars) => {
    let text = table[key] ?? STRINGS.fr[key] ?? key;
    for (const [name, value] of Object.entries(vars || {})) text = text.replace(`{${name}}`, String(value));
    return text;
  };
}

// A value that is either a plain string or a {fr, en} object, in the wanted language.
export function localized(value, lang) {
  if (value == null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value;
  return value[lang] ?? value.fr ?? value.en ?? "";
}
