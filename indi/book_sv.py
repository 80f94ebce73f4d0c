"""Swedish text of the book's interactive parts (indi.book), for the Swedish edition and Swedish users.

The book's pages are translated through Sphinx's catalogues (locales/sv); what a code cell *prints*
is not page text, so it is translated here. ``indi.book`` picks the language from ``INDI_BOOK_LANG``
(the Swedish edition's build sets it to ``sv``) or from a function's ``lang=`` argument.
Lists run parallel to their English originals in indi.book (same order and length; tested).
"""

from __future__ import annotations

MATURITY_STAGES = [
    ("Datorisering", "olika IT-system används, men var för sig"),
    ("Uppkoppling", "IT-systemen är kopplade till varandra; maskiner och affärssystem utbyter data"),
    ("Synlighet", "ni ser vad som händer i verkstaden, i (nära) realtid, ur data"),
    ("Transparens", "ni förstår varför det händer: data från många källor analyseras för att hitta orsaker"),
    ("Prediktionsförmåga", "ni kan säga vad som kommer att hända: simuleringar och prognoser stöder besluten"),
    ("Anpassningsförmåga", "företaget anpassar sig själv: beslut automatiseras där det är säkert och rimligt"),
]

MATURITY_QUESTIONS = [
    "Order, ritningar och NC-program finns i datorsystem (affärssystem, CAD/CAM), inte bara på papper.",
    "De flesta maskiner är CNC-styrda och programmen lagras och versionshanteras centralt.",
    "Maskinerna är anslutna till företagets nätverk och NC-programmen skickas till dem över nätet (DNC).",
    "Affärssystemet och verkstadsgolvet utbyter data utan att någon skriver av (t.ex. orderstatus, tider).",
    "Maskinernas lägen (i drift, stillastående, larm) registreras automatiskt och kan ses direkt.",
    "Kvalitetsmätningar lagras digitalt, kopplade till order, detalj och maskin.",
    "Vi analyserar regelbundet insamlad data för att hitta orsaker till kassationer, stopp eller verktygsbrott.",
    "Någon i företaget äger datakvaliteten och vet vilka data som finns var.",
    "Vi förutser händelser ur data (verktygsslitage, underhållsbehov, leveransdatum) och agerar på prognoserna.",
    "Vi provar förändringar (en ny fixtur, en ny planering) i en modell eller simulering innan vi inför dem.",
    "Vissa beslut fattas automatiskt ur data (t.ex. omplanering, adaptiv matningsstyrning).",
    "Lärdomar ur data förs tillbaka in i processer och utbildning som rutin, inte som ett projekt.",
]

ANSWERS = {"no": "nej", "partly": "delvis", "yes": "ja"}

DIGCOMP_LEVELS = {
    1: ("Grundläggande", "enkla uppgifter, med vägledning"),
    2: ("Grundläggande", "enkla uppgifter, på egen hand med vägledning vid behov"),
    3: ("Medel", "väldefinierade rutinuppgifter och okomplicerade problem, på egen hand"),
    4: ("Medel", "uppgifter och väldefinierade problem utanför rutinen, självständigt"),
    5: ("Avancerad", "olika uppgifter och problem, och vägleder andra"),
    6: ("Avancerad", "väljer det lämpligaste arbetssättet i komplexa sammanhang och anpassar till andra"),
    7: ("Högt specialiserad", "löser komplexa problem med få lösningar; bidrar till yrkespraxis"),
    8: ("Högt specialiserad", "löser komplexa problem med många samverkande faktorer; föreslår nya idéer för området"),
}

COMPETENCE_AREAS = {
    "data": "Arbeta med verkstadsdata (samla in, rensa, tolka)",
    "sensors": "Maskinsignaler, sensorer och IIoT",
    "vision": "Maskinseende och kontroll",
    "am": "Additiv tillverkning med fräsning",
    "ai": "Vad AI kan och inte kan, dess risker och regler",
    "projects": "Driva ett pilotprojekt inom digitalisering",
}

AREA_SHORT = {"data": "Verkstadsdata", "sensors": "Sensorer & IIoT", "vision": "Maskinseende",
              "am": "AM + fräsning", "ai": "AI-kunnighet", "projects": "Pilotprojekt"}

ROLES = {
    "Operator": "Operatör",
    "CNC programmer": "CNC-programmerare",
    "Process technician": "Processtekniker",
    "Maintenance technician": "Underhållstekniker",
    "Automation engineer": "Automationsingenjör",
    "Quality engineer (data-literate)": "Kvalitetsingenjör (datavan)",
}

PROBLEMS = {
    "inspection": "kvalitetskontroll och mätning",
    "predictive_maintenance": "maskinövervakning och prediktivt underhåll",
    "scheduling": "produktionsplanering",
    "quoting": "offertarbete och kostnadskalkyl",
    "cam": "CAM och NC-programmering",
    "am_build_prep": "byggberedning för AM",
    "documentation": "dokumentation och arbetsinstruktioner",
    "data_infrastructure": "koppla upp maskiner och lagra data",
}
COSTS = {"free": "ingen licensavgift (tid och hårdvara kostar ändå)",
         "subscription": "återkommande avgift per användare, maskin eller månad",
         "licence": "köpt licens eller pris på förfrågan"}
SKILLS = {"foundation": "peka och klicka; några timmar för att komma i gång (DigComp-nivå 1–2)",
          "intermediate": "konfiguration och lite skriptande (nivå 3–4)",
          "advanced": "programmering, integration eller en specialist (nivå 5–8)"}
VALUES = {"open-source": "öppen källkod", "commercial": "kommersiell", "freemium": "freemium",
          "free": "gratis", "subscription": "abonnemang", "licence": "licens",
          "foundation": "grundläggande", "intermediate": "medel", "advanced": "avancerad"}

#: Tool categories of book/catalogue/tools.yml (a category missing here is shown in English; tested).
CATEGORIES = {
    "wiki": "wiki", "ERP / MRP": "affärssystem / MPS", "visual machine learning": "visuell maskininlärning",
    "visual data workflows": "visuella dataflöden", "version control": "versionshantering",
    "time-series database": "tidsseriedatabas", "spreadsheet": "kalkylprogram", "smart camera": "smartkamera",
    "slicer (polymer FFF/SLA)": "slicer (polymer, FFF/SLA)", "slicer (polymer FFF)": "slicer (polymer, FFF)",
    "planning optimisation": "planeringsoptimering", "optimisation library": "optimeringsbibliotek",
    "notebooks": "notebooks", "manufacturing cost estimation": "kalkyl av tillverkningskostnad",
    "machine-vision software (no code)": "programvara för maskinseende (utan kod)",
    "machine-vision software": "programvara för maskinseende",
    "machine-learning library": "bibliotek för maskininlärning",
    "machine monitoring platform (cloud)": "plattform för maskinövervakning (moln)",
    "low-code data flows": "dataflöden med lite kod", "local language models": "lokala språkmodeller",
    "industrial connectivity server": "server för industriell uppkoppling",
    "image-processing library": "bibliotek för bildbehandling", "image annotation": "bildannotering",
    "document management": "dokumenthantering", "deep-learning anomaly detection": "avvikelsedetektering med djupinlärning",
    "data annotation": "dataannotering", "dashboards": "dashboards", "computer-vision library": "bibliotek för datorseende",
    "PLC communication library": "bibliotek för PLC-kommunikation", "OPC UA library (Python)": "OPC UA-bibliotek (Python)",
    "OPC UA library": "OPC UA-bibliotek", "MQTT broker": "MQTT-broker", "ERP for manufacturing": "affärssystem för tillverkning",
    "CAM (integrated in CAD)": "CAM (inbyggt i CAD)", "CAM (incl. hybrid and additive)": "CAM (även hybrid och additiv)",
    "CAM": "CAM", "CAD/CAM (cloud)": "CAD/CAM (moln)", "CAD/CAM": "CAD/CAM",
    "AM data and build preparation": "AM-data och byggberedning", "AM build preparation": "byggberedning för AM",
    "AI assistant (cloud)": "AI-assistent (moln)",
}

#: Interface text, keyed by the English original (format fields kept).
UI = {
    "Stage 1 (Computerisation) is not fully reached yet: start there.":
        "Steg 1 (Datorisering) är inte helt uppnått än: börja där.",
    "Reached: stage {stage}, {name}.": "Uppnått: steg {stage}, {name}.",
    " Next: stage {stage}, {name} — {desc}.": " Nästa: steg {stage}, {name} — {desc}.",
    "Recommended path:": "Rekommenderad väg:",
    "#": "#",
    "stage": "steg",
    "statement (answer no / partly / yes)": "påstående (svara nej / delvis / ja)",
    "Company self-assessment: twelve statements, two per acatech stage":
        "Företagets självskattning: tolv påståenden, två per acatech-steg",
    "<p>Score: no = 0, partly = 1, yes = 2. A stage is reached when its two statements average at "
    "least 1.5 points and every earlier stage is reached. Then follow the path for the next stage:</p>":
        "<p>Poäng: nej = 0, delvis = 1, ja = 2. Ett steg är uppnått när dess två påståenden ger minst "
        "1,5 poäng i snitt och alla tidigare steg är uppnådda. Följ sedan vägen för nästa steg:</p>",
    "reached stage": "uppnått steg",
    "work towards": "arbeta mot",
    "recommended path": "rekommenderad väg",
    "0 (none yet)": "0 (inget än)",
    "Recommended path by result": "Rekommenderad väg efter resultat",
    "Stage {stage}": "Steg {stage}",
    "You meet the suggested profile for {role}.": "Du når den föreslagna profilen för {role}.",
    "Try the next role's profile, or help a colleague through a lab.":
        "Pröva nästa rolls profil, eller hjälp en kollega genom en labb.",
    "area": "område",
    "your level": "din nivå",
    "profile: {role}": "profil: {role}",
    "Where to grow": "Där du kan växa",
    "level": "nivå",
    "band": "nivågrupp",
    "I can do …": "Jag kan …",
    "Proficiency levels (after DigComp 2.2)": "Kunskapsnivåer (efter DigComp 2.2)",
    "role": "roll",
    "Suggested target level per role and area": "Föreslagen målnivå per roll och område",
    "pages and labs that build it": "sidor och labbar som bygger upp det",
    "Where each area is taught": "Var varje område lärs ut",
    "<p>Give yourself a level from 1 to 8 in each area, pick the role you have or aim for, and "
    "compare. Study the areas with the biggest gap first, using the pages in the last table.</p>":
        "<p>Ge dig själv en nivå från 1 till 8 i varje område, välj den roll du har eller siktar på, och "
        "jämför. Studera områdena med störst glapp först, med sidorna i den sista tabellen.</p>",
    "Role": "Roll",
    "{area}: level {level} — {desc}": "{area}: nivå {level} — {desc}",
    "not yet checked": "inte kontrollerad än",
    "tool": "verktyg",
    "category": "kategori",
    "what it does": "vad det gör",
    "licence": "licens",
    "cost": "kostnad",
    "skill": "kunskap",
    "checked": "kontrollerad",
    "Problems in the tool catalogue": "Problem i verktygskatalogen",
    "Jump to: ": "Gå till: ",
    "Tools for {label} ({n})": "Verktyg för {label} ({n})",
    "{n} tool(s)": "{n} verktyg",
    "No tool matches: allow more cost types or a higher skill level.":
        "Inget verktyg passar: tillåt fler kostnadstyper eller en högre kunskapsnivå.",
    "Problem": "Problem",
    "Cost": "Kostnad",
    "Skill up to": "Kunskap upp till",
    "(interactive form: open this page in JupyterLab to use it)":
        "(interaktivt formulär: öppna sidan i JupyterLab för att använda det)",
    "outcome": "lärandemål",
    "taught on": "lärs ut på",
    "lab tasks": "labbuppgifter",
    "graded cells": "bedömda celler",
    "autograded": "automaträttad",
    "manual": "läraren bedömer",
    "gap: ": "lucka: ",
}
