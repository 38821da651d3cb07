"""Mesotherapy as demo content, and the loader that keeps the draft in step with it.

Every fact here comes from the two seed documents in the project brief; the words are our own,
written for patients at about a grade 8 reading level. The seeds stress how much is unknown, so
the text does too: it never promises results and never gives numbers the seeds do not give.

`load_education_demo` is safe to run again and again: rows are found by their natural keys, a row
is saved only when one of its fields changed, and a new version is published only when the draft
differs from the latest one. `load_education_demo_translation` does the same for the Spanish
translation written from the same facts (`education.demo_es`).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from . import demo_es
from .models import (
    ChecklistEvidence,
    ChecklistItem,
    ComprehensionQuestion,
    EvidenceStrength,
    Indication,
    IndicationKind,
    Ingredient,
    Procedure,
    ProcedureVersion,
    QuestionAnswer,
    Section,
    SideEffect,
    SideEffectFrequency,
    SideEffectPrevention,
    SideEffectSeverity,
    SideEffectSite,
)
from .services import procedure_publish

SLUG = "mesotherapy"

PROCEDURE = {
    "name": "Mesotherapy",
    "other_names": "Intradermotherapy, Lipodissolve-type injections (the fat-dissolving kind only)",
    "summary": (
        "Mesotherapy is a treatment with many small shots into the skin or just under it. "
        "It is used on fat, skin and hair, and for some kinds of pain. "
        "No one knows yet just how well it works or how safe it is."
    ),
    "description": """\
Mesotherapy is also called *intradermotherapy*. A practitioner uses a needle to give many small
shots (injections). The shots go into the skin, or into the layer just under it, right
in the area being treated.

Each shot holds a liquid mix. The mix may contain:

- medicines
- homeopathic products
- plant extracts
- vitamins
- hormones or other things

**There is no standard mix.** Many practitioners make their own, and some make a new mix for
each patient. Two clinics may inject very different things, so ask what is in yours.

In the US, most mesotherapy is linked with "Lipodissolve"-type shots. These shots aim to make
fat cells burst and die. But melting fat is only one kind of mesotherapy.
""",
    "evidence_summary": """\
The honest answer is that **we do not know** just how well mesotherapy works, or how safe it
is.

- There are only a few studies. Some show that vitamin shots may help the skin look younger.
- For hair loss, no proper trials have checked if it is safe or if it works.
- For fat, many skin doctors and plastic surgeons worry, because they do not know what
  results to expect.
- Some skin doctors find it helps, with few side effects, when a well-trained expert does it.

Doctors agree that better, well-planned studies are needed.
""",
    "results_duration": """\
Most results from mesotherapy do not last on their own. You will likely need more sessions
over time to keep them. This is called *maintenance*.

- There is no good data on how long results last.
- No one can say if the results are for good.
- Once you reach the result you want, you may need sessions less often.
""",
    "unknowns": """\
A lot about mesotherapy is still not known.

- **What is in the mix.** Many doctors say this is the biggest risk. Mixes are often made up
  by each practitioner, so you may not know just what goes into your body. Ask for the name
  of every ingredient.
- **How well it works, and how safe it is.** There are not enough good studies.
- **If the fat comes back.** No one knows if fat that is treated is gone for good.
- **How long results last.** There is no good long-term data.

Since so much is unknown, doctors say to be very careful.
""",
    "alternatives": """\
Mesotherapy is a choice. You do not have to have it.

- **No treatment.** You can choose not to have mesotherapy at all. That is always a fair
  choice.
- **Wait and learn more.** Take the time you need to think, read and ask questions.
- **Other options.** Talk to your doctor about other ways to deal with the problem that
  brings you here. Ask how well each one works and what the risks are.

You can change your mind at any time before your treatment.
""",
    "aftercare": """\
After your session:

- Keep the treated area clean.
- Bruising, swelling and soreness are common.
- Follow the care steps your practitioner gives you.

**Call the clinic** if pain gets worse, redness spreads, the area gets hot or leaks pus, you
get a fever, sores or lumps, or anything else worries you.

**Call 911** if you have trouble breathing, your face, lips or tongue swell, or you faint.
""",
    "disclaimer": (
        "This page is to help you learn. It is not medical advice, and it does not take the "
        "place of a talk with your own doctor. Reading it does not make you the patient of any "
        "doctor named here. If you have a medical emergency, call 911."
    ),
    "medical_reviewer": "Dr. Jordan Avery, MD (demo reviewer)",
    "last_reviewed_on": datetime.date(2026, 11, 1),
}

INGREDIENTS = [
    {
        "name": "Phosphatidylcholine and sodium deoxycholate",
        "purpose": (
            "These are the most common fat-melting agents. They are meant to make fat cells "
            "burst and die. Very large doses have been linked to rare nerve damage."
        ),
    },
    {
        "name": "Vitamins",
        "purpose": (
            "Often a mix of many vitamins. They are used to try to make the skin look fresh "
            "and young."
        ),
    },
    {
        "name": "Plant extracts",
        "purpose": (
            "Some mixes add things made from plants. What they are for depends on the mix, so "
            "ask what each one is and why it is used."
        ),
    },
    {
        "name": "Homeopathic agents",
        "purpose": (
            "Some mixes add homeopathic products. Ask what each one is and why it is in your mix."
        ),
    },
    {
        "name": "Medicines",
        "purpose": (
            "Drugs may be added to the mix. Which ones depends on the problem being treated and on "
            "the practitioner."
        ),
    },
    {
        "name": "Hormones and other ingredients",
        "purpose": (
            "Mixes can hold other things too. Mixes vary a lot and may be made just for you, so "
            "ask for a full list."
        ),
    },
]

_COSMETIC = IndicationKind.COSMETIC
_MEDICAL = IndicationKind.MEDICAL
_LIMITED = EvidenceStrength.LIMITED
_NONE = EvidenceStrength.NONE
_NO_STUDIES = "People say it helps, but there are no good studies to show that it works."

INDICATIONS = [
    {
        "name": "Fat deposits and body shaping",
        "kind": _COSMETIC,
        "evidence": _LIMITED,
        "note": (
            "This is the best-known use in the US. Doctors do not yet know what results to "
            "expect, or if the fat comes back."
        ),
    },
    {"name": "Cellulite", "kind": _COSMETIC, "evidence": _NONE, "note": _NO_STUDIES},
    {
        "name": "Making the face and skin look younger",
        "kind": _COSMETIC,
        "evidence": _LIMITED,
        "note": (
            "Often done with vitamin shots. A few studies show some benefit. Brief redness, tiny "
            "spots of bleeding and pain can happen, even with numbing cream."
        ),
    },
    {
        "name": "Hair loss",
        "kind": _COSMETIC,
        "evidence": _NONE,
        "note": (
            "No proper trials have checked if it is safe or if it works. Some skin doctors think "
            "it may help when a trained person checks the type of hair loss and adds other care. "
            "Better studies are needed."
        ),
    },
    {"name": "Stretch marks", "kind": _COSMETIC, "evidence": _NONE, "note": _NO_STUDIES},
    {
        "name": "Dark patches of skin, such as melasma",
        "kind": _COSMETIC,
        "evidence": _NONE,
        "note": _NO_STUDIES,
    },
    {"name": "Tightening the skin", "kind": _COSMETIC, "evidence": _NONE, "note": _NO_STUDIES},
    {"name": "Acne", "kind": _COSMETIC, "evidence": _NONE, "note": _NO_STUDIES},
    {
        "name": "Other skin uses people claim",
        "kind": _COSMETIC,
        "evidence": _NONE,
        "note": (
            "Weight loss, eczema, and tiny red blood vessels you can see in the skin. There are "
            "no good studies to show that it works for these."
        ),
    },
    {
        "name": "Pain relief",
        "kind": _MEDICAL,
        "evidence": _LIMITED,
        "note": (
            "This was the first use of mesotherapy. It was found by chance. Better studies are "
            "still needed."
        ),
    },
    {
        "name": "Arthritis and long-lasting pain",
        "kind": _MEDICAL,
        "evidence": _LIMITED,
        "note": (
            "In Europe it is often used for these, before trying steroids. Doctors there often "
            "make a new mix for each patient."
        ),
    },
    {"name": "Sports injuries", "kind": _MEDICAL, "evidence": _NONE, "note": _NO_STUDIES},
    {
        "name": "Back pain and headache",
        "kind": _MEDICAL,
        "evidence": _NONE,
        "note": _NO_STUDIES,
    },
    {
        "name": "Other medical uses people claim",
        "kind": _MEDICAL,
        "evidence": _NONE,
        "note": (
            "People say it helps with many other problems. Some are asthma, gout, and poor blood "
            "flow in the arms or legs. Others are carpal tunnel (a pinched nerve in the wrist) and "
            "fibromyalgia (pain all over the body). Some say it helps nerve pain after shingles, "
            "ringing in the ears, or a spinning feeling (vertigo). There are no good studies to "
            "show that it works for these."
        ),
    },
]

_LOCAL = SideEffectSite.LOCAL
_SYSTEMIC = SideEffectSite.SYSTEMIC
_COMMON = SideEffectFrequency.COMMON
_UNCOMMON = SideEffectFrequency.UNCOMMON
_RARE = SideEffectFrequency.RARE
_VERY_RARE = SideEffectFrequency.VERY_RARE
_MILD = SideEffectSeverity.MILD
_MODERATE = SideEffectSeverity.MODERATE
_SERIOUS = SideEffectSeverity.SERIOUS
_PREVENTABLE = SideEffectPrevention.PREVENTABLE
_PARTLY = SideEffectPrevention.PARTLY

_GOOD_TECHNIQUE = (
    "Choose a trained practitioner. Make sure they use good technique and keep everything clean "
    "and sterile."
)
_CALL_IF_WORSE = "Call the clinic if it gets worse instead of better, or if it worries you."
_SEE_A_DOCTOR = "Call the clinic or your doctor right away. Do not wait to see if it goes away."
_CALL_911 = "Call 911 right away. Then tell the clinic what happened."

SIDE_EFFECTS = [
    # Local: where the shots go in. Most can be prevented with good technique and clean,
    # sterile (aseptic) care.
    {
        "name": "Bruising",
        "explanation": "Blue or purple marks where the needle went in.",
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": "Careful technique can lower the risk, but it cannot always stop it.",
        "warning_signs": "A bruise that keeps growing, or that is very painful.",
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Swelling",
        "explanation": "The treated area may swell while you get the shots and just after.",
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": "Careful technique can lower the risk, but it cannot always stop it.",
        "warning_signs": (
            "Swelling that keeps getting worse, or that comes with heat, redness or fever."
        ),
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Burning, irritation and pain at the injection site",
        "explanation": (
            "You may feel burning, stinging or pain while the needle goes in and for a while "
            "after. This can happen even with numbing cream."
        ),
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Numbing cream may help. Tell your practitioner if the pain is too much."
        ),
        "warning_signs": "Pain that gets worse over the next days instead of better.",
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Redness and pinpoint bleeding",
        "explanation": (
            "The skin may turn red for a short time. You may see tiny spots of blood where the "
            "needle went in."
        ),
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": "Careful technique can lower the risk, but it cannot always stop it.",
        "warning_signs": "Redness that spreads, feels hot, or comes with pus or fever.",
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Infection, including atypical mycobacterial infection",
        "explanation": (
            "Germs can get into the skin through the needle holes. One kind of germ, called "
            "*atypical mycobacteria*, has caused infections after mesotherapy."
        ),
        "site": _LOCAL,
        "frequency": _UNCOMMON,
        "severity": _SERIOUS,
        "prevention": _PREVENTABLE,
        "prevention_advice": (
            "This can most often be prevented. The skin, needles and mix must all be kept clean "
            "and sterile."
        ),
        "warning_signs": (
            "Redness, heat, pain or swelling that gets worse, pus, sores or lumps that do not "
            "heal, or a fever."
        ),
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": "Skin necrosis (skin tissue dying)",
        "explanation": "A patch of skin can be harmed so badly that it dies.",
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _SERIOUS,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": (
            "Skin that turns very pale, dark, blue or black, or that feels cold, numb or very "
            "painful."
        ),
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": "Atrophy and lipodystrophy (thin skin or uneven fat)",
        "explanation": (
            "The skin can get thin, or the fat under it can shrink or build up unevenly. This "
            "can leave dents or bumps."
        ),
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Dents, hollows or bumps where the shots went in.",
        "what_to_do": "Call the clinic so your practitioner can check the area.",
    },
    {
        "name": "Lumps (nodules) and uneven skin after fat dissolving",
        "explanation": (
            "After shots that melt fat, small lumps can form under the skin, or the surface can "
            "look uneven."
        ),
        "site": _LOCAL,
        "frequency": _UNCOMMON,
        "severity": _MODERATE,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Lumps that grow, hurt, feel hot, or do not go away.",
        "what_to_do": "Call the clinic so your practitioner can check the area.",
    },
    {
        "name": "Ulcers and scarring on the face or scalp",
        "explanation": (
            "Open sores (ulcers) can form on the face or scalp. They may heal with a scar."
        ),
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _SERIOUS,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "A sore or break in the skin that does not heal, or that gets bigger.",
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": "Allergic reaction at the injection site",
        "explanation": (
            "Your skin may react to something in the mix. It can turn red, itch or swell where "
            "the shots went in."
        ),
        "site": _LOCAL,
        "frequency": _UNCOMMON,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Tell your practitioner about any allergies you have. Ask what is in the mix."
        ),
        "warning_signs": "Itching, a rash or swelling that spreads beyond the treated area.",
        "what_to_do": (
            "Call the clinic. If you have trouble breathing, or your face, lips or tongue swell, "
            "call 911."
        ),
    },
    {
        "name": "Drug eruption (a rash caused by a medicine)",
        "explanation": "A medicine in the mix can cause a rash on the skin.",
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Tell your practitioner about any drug that has given you a rash before. Ask what "
            "medicines are in the mix."
        ),
        "warning_signs": "A new rash, most of all one that spreads or blisters.",
        "what_to_do": "Call the clinic and tell them about the rash.",
    },
    {
        "name": "Darker or lighter patches of skin (pigmentation changes)",
        "explanation": "The treated skin can turn darker or lighter than the skin around it.",
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Dark or light patches where the shots went in.",
        "what_to_do": "Call the clinic so your practitioner can check the area.",
    },
    {
        "name": "Inflammation of the fat (panniculitis)",
        "explanation": (
            "The fat under the skin can get inflamed. This can cause tender, red lumps."
        ),
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Painful, red or hot lumps under the skin.",
        "what_to_do": "Call the clinic so your practitioner can check the area.",
    },
    {
        "name": "Hair loss (alopecia)",
        "explanation": "Hair can fall out in the area that was treated.",
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "New bald patches, or hair loss that gets worse after treatment.",
        "what_to_do": "Call the clinic so your practitioner can check the area.",
    },
    # Systemic: they affect the whole body. The seeds call them very rare.
    {
        "name": "Allergic reaction in the whole body",
        "explanation": (
            "Very rarely, the body reacts to something in the mix. This can affect your "
            "breathing, your skin and more."
        ),
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _SERIOUS,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Tell your practitioner about all your allergies. Ask for the name of every "
            "ingredient in the mix."
        ),
        "warning_signs": (
            "Trouble breathing, a swollen face, lips or tongue, hives all over, or feeling faint."
        ),
        "what_to_do": _CALL_911,
    },
    {
        "name": "Vagal reaction and fainting",
        "explanation": (
            "Some people feel dizzy, sick or sweaty, or pass out, during or just after the shots."
        ),
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Tell your practitioner if you have ever fainted with needles or shots."
        ),
        "warning_signs": "Feeling dizzy, hot, sweaty or sick to your stomach.",
        "what_to_do": (
            "Tell staff at once and lie down. If you faint after you leave the clinic, call 911."
        ),
    },
    {
        "name": "Liver toxicity (harm to the liver)",
        "explanation": "Very rarely, what is injected can harm the liver.",
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _SERIOUS,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Tell your practitioner about any liver problems you have. Ask for the name of every "
            "ingredient in the mix."
        ),
        "warning_signs": "Yellow skin or eyes, dark pee, or feeling very tired and unwell.",
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": "Nerve damage (demyelination) from large doses of fat-dissolving substances",
        "explanation": (
            "Nerves have a coating that helps them carry signals. Very large doses of fat-melting "
            "agents, such as phosphatidylcholine, have harmed this coating. This is very rare."
        ),
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _SERIOUS,
        "prevention": _PARTLY,
        "prevention_advice": "Ask what is in the mix, and how much of it you will get.",
        "warning_signs": "Numbness, tingling or weakness that is new.",
        "what_to_do": _SEE_A_DOCTOR,
    },
]

CHECKLIST = [
    {
        "check_text": (
            "Is your practitioner trained and certified? One board that does this is the American "
            "Board of Aesthetic Mesotherapy."
        ),
        "why_it_matters": (
            "Doctors say to choose a practitioner who is trained and certified to do this "
            "treatment. Ask to see proof."
        ),
        "satisfied_by": ChecklistEvidence.BOARD_CERTIFICATION,
    },
    {
        "check_text": "Does the person who treats you have a medical license?",
        "why_it_matters": (
            "Mesotherapy is a medical treatment. It can cause harm if someone who is not "
            "qualified does it."
        ),
        "satisfied_by": ChecklistEvidence.MEDICAL_LICENCE,
    },
    {
        "check_text": "Has your practitioner been trained to do mesotherapy?",
        "why_it_matters": (
            "Most side effects come from how the shots are given. A well-trained person can "
            "prevent many of them."
        ),
        "satisfied_by": ChecklistEvidence.PROCEDURE_TRAINING,
    },
    {
        "check_text": "Does the state medical board allow mesotherapy where you are treated?",
        "why_it_matters": (
            "It is not allowed everywhere. Check with the state medical board before you go ahead."
        ),
        "satisfied_by": ChecklistEvidence.JURISDICTION_PERMISSION,
    },
    {
        "check_text": "How many times has your practitioner done this treatment?",
        "why_it_matters": (
            "Ask about their experience. Someone who has done it many times knows what to "
            "expect and what can go wrong."
        ),
        "satisfied_by": ChecklistEvidence.EXPERIENCE,
    },
    {
        "check_text": "Can your practitioner tell you all that is in your mix?",
        "why_it_matters": (
            "Doctors say that not knowing just what is injected is the biggest risk. Mixes vary "
            "and may be made up by hand. Ask for the name of everything in your mix."
        ),
        "satisfied_by": ChecklistEvidence.FORMULATION_DISCLOSURE,
    },
    {
        "check_text": "Does your practitioner keep the skin, needles and mix clean and sterile?",
        "why_it_matters": (
            "This is called *aseptic technique*. It helps prevent infection and many other side "
            "effects."
        ),
        "satisfied_by": ChecklistEvidence.ASEPTIC_TECHNIQUE,
    },
]

COMPREHENSION_QUESTIONS = [
    {
        "question": "How long do the results of mesotherapy last?",
        "choices": "\n".join(
            [
                "They last for life after one session.",
                "They last five years.",
                "No one knows. Most people need more sessions to keep them.",
            ]
        ),
        "correct_choice": 3,
        "explanation": (
            "There is no good data on how long results last. Most people need more sessions to "
            "keep them."
        ),
        "section": Section.RESULTS,
    },
    {
        "question": "What do many doctors see as the biggest risk of mesotherapy?",
        "choices": "\n".join(
            [
                "A small bruise",
                "Not knowing just what is injected",
                "The cost",
            ]
        ),
        "correct_choice": 2,
        "explanation": (
            "Mixes vary and may be made up by each practitioner. Not knowing what goes into your "
            "body is the biggest risk."
        ),
        "section": Section.UNKNOWNS,
    },
    {
        "question": "Which side effects are common?",
        "choices": "\n".join(
            [
                "Bruising, swelling and pain where the needle goes in",
                "Liver damage",
                "Nerve damage",
            ]
        ),
        "correct_choice": 1,
        "explanation": (
            "Bruising, swelling, pain and redness are common. Harm to the liver or nerves is "
            "very rare."
        ),
        "section": Section.SIDE_EFFECTS,
    },
    {
        "question": "Can you get mesotherapy in any state?",
        "choices": "\n".join(
            [
                "Yes, every state allows it.",
                "No. Check that your state medical board allows it.",
            ]
        ),
        "correct_choice": 2,
        "explanation": (
            "It is not allowed everywhere. Check with the state medical board where you are "
            "treated."
        ),
        "section": Section.PRACTITIONER,
    },
    {
        "question": "What should you check about your practitioner?",
        "choices": "\n".join(
            [
                "Only the price.",
                "Their training, license, experience, and if they can tell you what is in the mix.",
                "Nothing. All practitioners are the same.",
            ]
        ),
        "correct_choice": 2,
        "explanation": (
            "Check their training, license and experience. Make sure they can tell you every "
            "ingredient in your mix."
        ),
        "section": Section.PRACTITIONER,
    },
]

QUESTIONS_ANSWERS = [
    {
        "question": "Does the fat come back after mesotherapy?",
        "answer": (
            "We do not know. Doctors who use or study mesotherapy are asked this a lot, and they "
            "cannot answer it yet. There is no good long-term data on whether fat that is "
            "treated is gone for good."
        ),
        "answered_by": "Dr. Priya Nair, dermatologist (demo)",
    },
    {
        "question": "Does it hurt?",
        "answer": (
            "Most people feel some burning, stinging or pain while the needle goes in, and for a "
            "while after. Numbing cream can help, but some pain can still happen. Bruising and "
            "swelling are common too."
        ),
        "answered_by": "Dr. Marcus Bell, plastic surgeon (demo)",
    },
    {
        "question": "How many sessions will I need?",
        "answer": (
            "There is no set number. Most people need more than one session, and most need "
            "more sessions later to keep the results. Once you reach the result you want, you "
            "may need them less often. Ask your practitioner what they plan for you, and why."
        ),
        "answered_by": "Dr. Priya Nair, dermatologist (demo)",
    },
    {
        "question": "Is mesotherapy the same as Lipodissolve?",
        "answer": (
            "Not quite. In the US, most mesotherapy is linked with Lipodissolve-type shots that "
            "melt fat. Those shots are just one kind of mesotherapy. "
            "Mesotherapy is a wider name for small shots of many kinds of mixes, used on skin, "
            "hair, fat and for pain."
        ),
        "answered_by": "Dr. Marcus Bell, plastic surgeon (demo)",
    },
]

PUBLISH_NOTE = "Demo content loaded by the load_demo command."


@transaction.atomic
def load_education_demo(*, publisher) -> ProcedureVersion | None:
    """Bring the mesotherapy draft in line with the demo content and publish it if it changed.

    Rows the demo does not list are removed from the draft, so the draft ends up exactly as
    written here. Returns the new version, or None when the latest version already matches.
    """
    procedure = _sync(Procedure, lookup={"slug": SLUG}, values=PROCEDURE)
    _sync_parts(
        procedure,
        ingredients=INGREDIENTS,
        indications=INDICATIONS,
        side_effects=SIDE_EFFECTS,
        checklist=CHECKLIST,
        comprehension=COMPREHENSION_QUESTIONS,
        questions=QUESTIONS_ANSWERS,
    )
    return _publish_if_changed(procedure, publisher=publisher, note=PUBLISH_NOTE)


@transaction.atomic
def load_education_demo_translation(*, publisher) -> ProcedureVersion | None:
    """The same for the Spanish translation (`education.demo_es`), published as its own
    procedure and versions. Loads the English original first if it is missing.

    Returns the new Spanish version, or None when its latest version already matches.
    """
    original = Procedure.objects.filter(slug=SLUG).first()
    if original is None:
        load_education_demo(publisher=publisher)
        original = Procedure.objects.get(slug=SLUG)
    procedure = _sync(
        Procedure,
        lookup={"slug": demo_es.SLUG},
        values={**demo_es.PROCEDURE, "translation_of": original},
    )
    _sync_parts(
        procedure,
        ingredients=demo_es.INGREDIENTS,
        indications=demo_es.INDICATIONS,
        side_effects=demo_es.SIDE_EFFECTS,
        checklist=demo_es.CHECKLIST,
        comprehension=demo_es.COMPREHENSION_QUESTIONS,
        questions=demo_es.QUESTIONS_ANSWERS,
    )
    return _publish_if_changed(procedure, publisher=publisher, note=demo_es.PUBLISH_NOTE)


def _sync_parts(
    procedure, *, ingredients, indications, side_effects, checklist, comprehension, questions
) -> None:
    _sync_rows(procedure, Ingredient, "name", ingredients)
    _sync_rows(procedure, Indication, "name", indications)
    _sync_rows(procedure, SideEffect, "name", side_effects)
    _sync_rows(procedure, ChecklistItem, "check_text", checklist)
    _sync_rows(procedure, ComprehensionQuestion, "question", comprehension)
    _sync_rows(procedure, QuestionAnswer, "question", questions)


def _publish_if_changed(procedure: Procedure, *, publisher, note: str):
    try:
        return procedure_publish(procedure=procedure, published_by=publisher, note=note)
    except ValidationError as error:
        if error.code != "unchanged":
            raise
        return None


def _sync(model, *, lookup: dict, values: dict):
    """Create the row, or save it only if a field differs (so `auto_now` stamps stay put)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save()
    return row


def _sync_rows(procedure: Procedure, model, key: str, rows: list[dict]) -> None:
    kept = []
    for position, values in enumerate(rows, start=1):
        lookup = {"procedure": procedure, key: values[key]}
        fields = {name: value for name, value in values.items() if name != key}
        kept.append(_sync(model, lookup=lookup, values={**fields, "position": position}).pk)
    model.objects.filter(procedure=procedure).exclude(pk__in=kept).delete()
