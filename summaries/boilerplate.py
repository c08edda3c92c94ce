"""Page furniture that is not the story: share, subscribe, related-link, cookie and credit lines.

Extractors leave these lines between and after the paragraphs of an article. A line is
boilerplate only when it is short and *starts* like one ("Read more: ...", "Advertisement",
"Subscribe to our newsletter"), so a body sentence that merely mentions an advertisement or
says "read more" in passing is never taken for one.
"""

from __future__ import annotations

import re

_BOILERPLATE = re.compile(
    r"^(?:share (?:this|on|via)\b|share$|tweet$|e-?mail$|print$|copy link|"
    r"(?:facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|email|x)(?:\W+"
    r"(?:facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest|email|x|print))+\W*$|"
    r"subscribe(?: now| today| to (?:our|the)\b|$|\s*[:|])|newsletters?$|"
    r"sign up(?: now| here| today|$| (?:for|to) (?:our|the|free|receive|get)\b)|"
    r"get (?:our|the) [\w ]{0,40}newsletter|already a subscriber|log in(?: to| or|$)|"
    r"register (?:now|for free|here|to (?:read|continue|comment))|donate(?: now| today)?$|"
    r"support (?:our|independent) journalism|"
    r"read more(?::|$| about\b| on\b| at\b| here\b)|see also(?::|$)|also read\b|"
    r"related(?::|$| articles| stories| topics| content| coverage| links| reading| news)|"
    r"more on this (?:story|topic)|recommended(?: for you| reading| stories| articles)?:?$|"
    r"most (?:read|popular|viewed)(?: stories| articles| now)?:?$|trending(?: now)?:?$|"
    r"top stories$|you may also like|advertisement$|ad$|sponsored(?: content| post)?$|"
    r"story continues below|continue reading|skip to\b|skip advertisement|scroll down for\b|"
    r"read (?:the )?full (?:story|article)|the post .{1,200} appeared first on\b|"
    r"view full coverage|"
    r"click here\b|watch(?: the)? video|listen to this\b|\d+ min(?:ute)?s? read$|"
    r"reading time\b|comments?$|leave a comment|show comments|tags?:|topics?:|"
    r"(?:posted|filed) (?:in|under):?\s+[\w ,&|-]{1,60}$|"
    r"(?:we|this (?:site|website)|our (?:site|website)) uses? cookies|"
    r"by continuing to (?:use|browse)|accept(?: all)?(?: cookies)?$|manage (?:cookie|privacy)|"
    r"cookie (?:settings|preferences|policy)$|privacy policy$|"
    r"follow (?:us|@?\w+(?: \w+)?) on\b|join (?:us|our \w+) on\b|download (?:the|our) app|"
    r"enable javascript|your browser (?:does not|doesn't) support|"
    r"©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\))?\s*\d{4}|all rights reserved|"
    r"image (?:caption|source|copyright)\b|media caption\b|(?:getty images|reuters|"
    r"associated press|afp|ap|epa|pa media|shutterstock|alamy)$|"
    r"original (?:url|article|story|link)\b|source:\s*\S+$|"
    r"\(?(?:additional )?(?:reporting|writing|editing|compiled) by [^.;]{2,60}(?:;|\)?$)|"
    r"our standards:|the thomson reuters trust principles|"
    r"photo(?:graph)?s?\s*(?:by\s*)?:|credit:|"
    r"(?:anzeige|werbung|publicité|publicidad|pubblicità|publicidade|advertentie|реклама|reklama"
    r"|reklam|annons|teilen|partager|compartir|condividi|compartilhar|delen|поделиться"
    r"|udostępnij|paylaş|dela)$|(?:lesen sie auch|mehr zum thema|(?:à )?lire aussi|lee también"
    r"|leggi anche|leia também|lees ook|читайте также|czytaj także|läs också)\b|"
    # The other summarised languages' related links, photo credits and cookie notices.
    r"(?:читайте також|czytaj (?:też|również)|zobacz (?:także|też|również)|čtěte (?:také|též)"
    r"|přečtěte si (?:také|též)|ilgili haber(?:ler)?|bunu da okuyun|lea también"
    r"|(?:veja|ver) também)\s*:|(?:(?:foto(?:grafie|ğraf)?|фото|zdjęcie)\s*:|fot\.)\s*\S.{0,80}$|"
    r"(?:wir verwenden|nous utilisons des|utilizamos|usamos|utilizziamo(?: i)?|мы используем"
    r"|ми використовуємо|używamy(?: plików)?|používáme(?: soubory)?|vi använder|wij gebruiken)"
    r" cookies?\b|(?:diese (?:website|seite)|ce site|este sitio(?: web)?|questo sito|deze"
    r" (?:website|site)) (?:verwendet|utilise|utiliza|utilizza|gebruikt) (?:des )?cookies?\b|"
    r"(?:web )?sitemizde çerez|çerez(?:ler)? kullan)",
    re.IGNORECASE,
)
_READER_NOTICES = re.compile(
    # Newsletter boxes, reader calls to action and consent dialogs.
    r"^(?:[^.!?:]{1,40}:\s*(?:sign up|subscribe)\b|enter your e-?mail(?: address)?\b|"
    r"by (?:signing up|subscribing|clicking)\b[^.]{0,40}\byou agree\b|"
    r"thank you for (?:subscribing|signing up)\b|get (?:our|the) [\w ]{0,40}briefing$|"
    r"[^.!?]{0,100}\bto your inbox(?: every \w+| each \w+| daily| weekly)?[.!]?$|"
    r"have your say\b|got a (?:story|(?:news )?tip)\?|get in touch\s*(?::|$)|"
    r"we value your privacy$|we and our (?:\d+ )?(?:partners|vendors)\b|reject all$|"
    r"manage (?:preferences|options|settings|consent)$|"
    r"(?:please )?(?:turn on|enable|activate|switch on) javascript\b|"
    r"javascript (?:is )?(?:disabled|required|must be enabled)\b|"
    # Live-blog controls, "Read next:" links, wire-story trailers, notices about the article.
    r"live$|show key events(?: only)?$|load (?:more|earlier|older)(?: posts| updates)?$|"
    r"key (?:points|events)$|read next(?::|$)|share\s*[:|]|"
    r"view (?:gallery|all (?:photos|images)|\d+ (?:photos|images))$|previous$|next$|\+?\d{1,3}$|"
    r"share\b.{0,30}\bcomment|share (?:your (?:views|thoughts)|what you think)\b|"
    r"comments?\s*\(?\d+\)?$|by posting (?:your |a )?comment|"
    r"(?:the )?comments (?:below )?(?:have not been|are not) moderated|"
    r"(?-i:[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}) is (?:our|a (?:freelance|contributing|staff)) "
    r"[\w ,'’-]{0,40}(?:correspondent|editor|reporter|writer|columnist|journalist)\b|"
    r".{0,120}\bcontributed (?:to )?(?:this|the) (?:report|story|article)\.?$|"
    r"follow (?:[\w'’]+ ){0,4}(?:coverage|updates|reporting)\b.{0,20}\b(?:at|on)\b|"
    r"(?:this|the) (?:article|story) (?:was|has been) (?:amended|updated|corrected|edited)\b|"
    r"this (?:article|story) (?:was )?(?:first |originally )?(?:appeared|published) (?:in|on)\b|"
    r"(?:a|an earlier) version of this (?:article|story)\b|back to (?:top|home(?:page)?)$|"
    # The same in the other summarised languages.
    r"(?:artikel |beitrag )?teilen(?: (?:auf|bei|via|per)\b.{0,40})?$|"
    r"(?:partager|compartir|condividi) (?:sur|par|via|en|por|su)\b.{0,40}$|"
    r"zur startseite$|zurück zu[mr]? [\w ]{1,30}$|retour (?:à l'accueil|en haut)\b.{0,20}$|"
    r"dieser (?:artikel|beitrag) (?:erschien|wurde|ist) (?:zuerst|erstmals|ursprünglich)\b|"
    r"cet article (?:est réservé|a été (?:publié|mis à jour|modifié))\b|"
    r"(?:article|contenu) réservé aux abonnés|abonnez-vous\b|inscrivez-vous\b|"
    r"(?:jetzt |newsletter )?abonnieren$|jetzt (?:abonnieren|anmelden|registrieren)\b|"
    r"suscr[íi]bete\b|iscriviti\b|abbonati\b)",
    re.IGNORECASE,
)
_LINKS_HEADING = re.compile(
    r"^(?:related(?: articles| stories| content| coverage| links| reading| news| topics)?|"
    r"read more|more on this (?:story|topic)|more from [\w ]{1,30}|"
    r"most (?:read|popular|viewed)(?: stories| articles| now)?|"
    r"recommended(?: for you| reading| stories| articles)?|trending(?: now)?|top stories|"
    r"you (?:may|might) also like|see also|also read|lesen sie auch|mehr zum thema|"
    r"(?:à )?lire aussi|sur le même sujet|leggi anche|lee también)\s*:?$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_SENTENCE_ENDS = (".", "!", '"', "'", "”", "’", ")", ":", ";")
_SHORT_WORDS = 30
"""Paragraphs up to this many words may be boilerplate; longer ones are body text."""


def is_boilerplate(paragraph: str) -> bool:
    """Share/subscribe/related/cookie/copyright/credit lines: short and starting like one."""
    if len(_WORD.findall(paragraph)) > _SHORT_WORDS:
        return False
    return bool(_BOILERPLATE.match(paragraph) or _READER_NOTICES.match(paragraph))


def is_links_heading(paragraph: str) -> bool:
    """A heading over a list of links ("Related articles", "Most read", "Lesen Sie auch")."""
    return bool(_LINKS_HEADING.match(paragraph))


def is_link_title(paragraph: str) -> bool:
    """A line that could be a linked headline: a few words that do not end like a sentence.

    Under a links heading such lines are other stories' headlines, not this story.
    """
    return len(_WORD.findall(paragraph)) <= 20 and not paragraph.endswith(_SENTENCE_ENDS)
