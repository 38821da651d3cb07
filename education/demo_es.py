"""Mesotherapy in Spanish: the demo's translation, published as its own procedure and versions.

Written from the same seed facts as the English demo (`education.demo`), in plain Spanish for
patients, addressing them as "usted". It says no more and no less than the English: the seeds
stress how much is unknown, so this text does too. Row kinds, frequencies, severities and the
checklist's `satisfied_by` match the English row for row, so the consent steps check the same
facts whichever language the patient reads.
"""

import datetime

from .models import (
    ChecklistEvidence,
    EvidenceStrength,
    IndicationKind,
    Section,
    SideEffectFrequency,
    SideEffectPrevention,
    SideEffectSeverity,
    SideEffectSite,
)

LANGUAGE = "es"
SLUG = "mesoterapia"

PROCEDURE = {
    "name": "Mesoterapia",
    "other_names": (
        "Intradermoterapia, inyecciones tipo Lipodissolve (solo las que buscan disolver grasa)"
    ),
    "summary": (
        "La mesoterapia es un tratamiento con muchas inyecciones pequeñas en la piel o justo "
        "debajo de ella. Se usa en la grasa, la piel y el cabello, y para algunos tipos de "
        "dolor. Todavía no se sabe bien cuánto funciona ni qué tan segura es."
    ),
    "description": """\
La mesoterapia también se llama *intradermoterapia*. Con una aguja, el profesional pone
muchas inyecciones pequeñas. Las inyecciones van en la piel, o en la capa que está justo
debajo, en la misma zona que se quiere tratar.

Cada inyección lleva una mezcla líquida. La mezcla puede tener:

- medicamentos
- productos homeopáticos
- extractos de plantas
- vitaminas
- hormonas u otras sustancias

**No existe una mezcla estándar.** Muchos profesionales preparan la suya, y algunos hacen una
mezcla nueva para cada paciente. Dos clínicas pueden inyectar cosas muy distintas, así que
pregunte qué lleva la suya.

En los Estados Unidos, la mayor parte de la mesoterapia se asocia con las inyecciones tipo
"Lipodissolve". Estas inyecciones buscan que las células de grasa se rompan y mueran. Pero
deshacer la grasa es solo un tipo de mesoterapia.
""",
    "evidence_summary": """\
La respuesta sincera es que **no se sabe** bien cuánto funciona la mesoterapia ni qué tan
segura es.

- Hay pocos estudios. Algunos muestran que las inyecciones de vitaminas pueden ayudar a que la
  piel se vea más joven.
- Para la caída del cabello, ningún ensayo bien hecho ha comprobado si es segura o si funciona.
- Para la grasa, a muchos dermatólogos y cirujanos plásticos les preocupa, porque no saben
  qué resultados esperar.
- Algunos dermatólogos ven que ayuda, con pocos efectos secundarios, cuando la aplica una
  persona experta y bien formada.

Los médicos están de acuerdo en que hacen falta estudios mejores y bien planeados.
""",
    "results_duration": """\
La mayoría de los resultados de la mesoterapia no se mantienen por sí solos. Lo más probable
es que necesite más sesiones con el tiempo para conservarlos. Esto se llama *mantenimiento*.

- No hay buenos datos sobre cuánto duran los resultados.
- Nadie puede decir si los resultados son para siempre.
- Cuando consiga el resultado que busca, es posible que necesite sesiones con menos
  frecuencia.
""",
    "unknowns": """\
Todavía hay mucho que no se sabe de la mesoterapia.

- **Qué lleva la mezcla.** Muchos médicos dicen que este es el mayor riesgo. Cada profesional
  suele preparar su propia mezcla, así que quizá usted no sepa exactamente qué entra en su
  cuerpo. Pida el nombre de cada ingrediente.
- **Cuánto funciona y qué tan segura es.** No hay suficientes estudios buenos.
- **Si la grasa vuelve.** Nadie sabe si la grasa tratada desaparece para siempre.
- **Cuánto duran los resultados.** No hay buenos datos a largo plazo.

Como se desconoce tanto, los médicos aconsejan tener mucha precaución.
""",
    "alternatives": """\
La mesoterapia es una opción. Nadie le obliga a hacérsela.

- **Ningún tratamiento.** Puede decidir no hacerse mesoterapia. Siempre es una decisión
  válida.
- **Esperar y informarse más.** Tómese el tiempo que necesite para pensar, leer y hacer
  preguntas.
- **Otras opciones.** Hable con su médico sobre otras formas de tratar el problema que le trae
  aquí. Pregunte cuánto funciona cada una y qué riesgos tiene.

Puede cambiar de opinión en cualquier momento antes del tratamiento.
""",
    "aftercare": """\
Después de la sesión:

- Mantenga limpia la zona tratada.
- Es común tener moretones, hinchazón y dolor.
- Siga los cuidados que le indique su profesional.

**Llame a la clínica** si el dolor empeora, el enrojecimiento se extiende, la zona se calienta
o sale pus, o si tiene fiebre, llagas, bultos o cualquier otra cosa que le preocupe.

**Llame al 911** si le cuesta respirar, se le hinchan la cara, los labios o la lengua, o se
desmaya.
""",
    "disclaimer": (
        "Esta página es para ayudarle a informarse. No es un consejo médico y no reemplaza una "
        "conversación con su propio médico. Leerla no hace que usted sea paciente de ningún "
        "médico que aparezca aquí. Si tiene una emergencia médica, llame al 911."
    ),
    "medical_reviewer": "Dr. Jordan Avery, MD (revisor de demostración)",
    "last_reviewed_on": datetime.date(2026, 11, 1),
    "language": LANGUAGE,
}

INGREDIENTS = [
    {
        "name": "Fosfatidilcolina y desoxicolato de sodio",
        "purpose": (
            "Son las sustancias más usadas para deshacer la grasa. Buscan que las células de "
            "grasa se rompan y mueran. Las dosis muy altas se han relacionado con daños poco "
            "comunes en los nervios."
        ),
    },
    {
        "name": "Vitaminas",
        "purpose": (
            "Suele ser una mezcla de muchas vitaminas. Se usan para intentar que la piel se vea "
            "fresca y joven."
        ),
    },
    {
        "name": "Extractos de plantas",
        "purpose": (
            "Algunas mezclas llevan sustancias que vienen de plantas. Para qué sirven depende de "
            "la mezcla, así que pregunte qué es cada una y por qué se usa."
        ),
    },
    {
        "name": "Productos homeopáticos",
        "purpose": (
            "Algunas mezclas llevan productos homeopáticos. Pregunte qué es cada uno y por qué "
            "está en su mezcla."
        ),
    },
    {
        "name": "Medicamentos",
        "purpose": (
            "Se pueden añadir medicamentos a la mezcla. Cuáles, depende del problema que se "
            "trata y del profesional."
        ),
    },
    {
        "name": "Hormonas y otros ingredientes",
        "purpose": (
            "Las mezclas también pueden llevar otras cosas. Cambian mucho y pueden prepararse "
            "solo para usted, así que pida la lista completa."
        ),
    },
]

_COSMETIC = IndicationKind.COSMETIC
_MEDICAL = IndicationKind.MEDICAL
_LIMITED = EvidenceStrength.LIMITED
_NONE = EvidenceStrength.NONE
_NO_STUDIES = "Hay quien dice que ayuda, pero no hay estudios buenos que demuestren que funciona."

INDICATIONS = [
    {
        "name": "Depósitos de grasa y moldear el cuerpo",
        "kind": _COSMETIC,
        "evidence": _LIMITED,
        "note": (
            "Es el uso más conocido en los Estados Unidos. Los médicos todavía no saben qué "
            "resultados esperar, ni si la grasa vuelve."
        ),
    },
    {
        "name": "Celulitis (piel de naranja)",
        "kind": _COSMETIC,
        "evidence": _NONE,
        "note": _NO_STUDIES,
    },
    {
        "name": "Que la cara y la piel se vean más jóvenes",
        "kind": _COSMETIC,
        "evidence": _LIMITED,
        "note": (
            "Suele hacerse con inyecciones de vitaminas. Algunos estudios muestran algo de "
            "beneficio. Puede haber enrojecimiento pasajero, pequeños puntos de sangrado y "
            "dolor, incluso con crema para adormecer la piel."
        ),
    },
    {
        "name": "Caída del cabello",
        "kind": _COSMETIC,
        "evidence": _NONE,
        "note": (
            "Ningún ensayo bien hecho ha comprobado si es segura o si funciona. Algunos "
            "dermatólogos creen que puede ayudar cuando una persona formada revisa el tipo de "
            "caída del cabello y añade otros cuidados. Hacen falta estudios mejores."
        ),
    },
    {"name": "Estrías", "kind": _COSMETIC, "evidence": _NONE, "note": _NO_STUDIES},
    {
        "name": "Manchas oscuras en la piel, como el melasma",
        "kind": _COSMETIC,
        "evidence": _NONE,
        "note": _NO_STUDIES,
    },
    {"name": "Tensar la piel", "kind": _COSMETIC, "evidence": _NONE, "note": _NO_STUDIES},
    {"name": "Acné", "kind": _COSMETIC, "evidence": _NONE, "note": _NO_STUDIES},
    {
        "name": "Otros usos en la piel que se anuncian",
        "kind": _COSMETIC,
        "evidence": _NONE,
        "note": (
            "Bajar de peso, el eccema y los pequeños vasos sanguíneos rojos que se ven en la "
            "piel. No hay estudios buenos que demuestren que funciona para esto."
        ),
    },
    {
        "name": "Alivio del dolor",
        "kind": _MEDICAL,
        "evidence": _LIMITED,
        "note": (
            "Este fue el primer uso de la mesoterapia. Se descubrió por casualidad. Todavía "
            "hacen falta estudios mejores."
        ),
    },
    {
        "name": "Artritis y dolor de larga duración",
        "kind": _MEDICAL,
        "evidence": _LIMITED,
        "note": (
            "En Europa se usa a menudo para esto, antes de probar con esteroides. Allí los "
            "médicos suelen preparar una mezcla nueva para cada paciente."
        ),
    },
    {"name": "Lesiones deportivas", "kind": _MEDICAL, "evidence": _NONE, "note": _NO_STUDIES},
    {
        "name": "Dolor de espalda y dolor de cabeza",
        "kind": _MEDICAL,
        "evidence": _NONE,
        "note": _NO_STUDIES,
    },
    {
        "name": "Otros usos médicos que se anuncian",
        "kind": _MEDICAL,
        "evidence": _NONE,
        "note": (
            "Hay quien dice que ayuda con muchos otros problemas. Algunos son el asma, la gota "
            "y la mala circulación en los brazos o las piernas. Otros son el síndrome del túnel "
            "carpiano (un nervio pinzado en la muñeca) y la fibromialgia (dolor en todo el "
            "cuerpo). Hay quien dice que ayuda con el dolor de los nervios después del herpes "
            "zóster, el zumbido en los oídos o la sensación de que todo da vueltas (vértigo). "
            "No hay estudios buenos que demuestren que funciona para esto."
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
    "Elija un profesional con formación. Asegúrese de que usa una buena técnica y de que todo "
    "está limpio y estéril."
)
_CAREFUL_TECHNIQUE = "Una técnica cuidadosa puede bajar el riesgo, pero no siempre lo evita."
_CALL_IF_WORSE = "Llame a la clínica si empeora en lugar de mejorar, o si le preocupa."
_SEE_A_DOCTOR = "Llame enseguida a la clínica o a su médico. No espere a ver si se le pasa."
_CALL_911 = "Llame enseguida al 911. Después, cuéntele a la clínica lo que pasó."
_CHECK_THE_AREA = "Llame a la clínica para que su profesional revise la zona."

SIDE_EFFECTS = [
    # Locales: donde entran las inyecciones. La mayoría se pueden prevenir con buena técnica y
    # con cuidados limpios y estériles (asépticos).
    {
        "name": "Moretones",
        "explanation": "Marcas azules o moradas donde entró la aguja.",
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": _CAREFUL_TECHNIQUE,
        "warning_signs": "Un moretón que sigue creciendo, o que duele mucho.",
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Hinchazón",
        "explanation": (
            "La zona tratada puede hincharse mientras le ponen las inyecciones y justo después."
        ),
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": _CAREFUL_TECHNIQUE,
        "warning_signs": (
            "Hinchazón que sigue empeorando, o que viene con calor, enrojecimiento o fiebre."
        ),
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Ardor, irritación y dolor donde entra la aguja",
        "explanation": (
            "Puede sentir ardor, escozor o dolor mientras entra la aguja y durante un rato "
            "después. Esto puede pasar incluso con crema para adormecer la piel."
        ),
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": (
            "La crema para adormecer la piel puede ayudar. Avise a su profesional si el dolor "
            "es demasiado."
        ),
        "warning_signs": "Dolor que empeora en los días siguientes en lugar de mejorar.",
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Enrojecimiento y pequeños puntos de sangrado",
        "explanation": (
            "La piel puede ponerse roja un rato. Puede ver pequeños puntos de sangre donde "
            "entró la aguja."
        ),
        "site": _LOCAL,
        "frequency": _COMMON,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": _CAREFUL_TECHNIQUE,
        "warning_signs": "Enrojecimiento que se extiende, que está caliente, o con pus o fiebre.",
        "what_to_do": _CALL_IF_WORSE,
    },
    {
        "name": "Infección, incluida la infección por micobacterias atípicas",
        "explanation": (
            "Los gérmenes pueden entrar en la piel por los agujeritos de la aguja. Un tipo de "
            "germen, las *micobacterias atípicas*, ha causado infecciones después de la "
            "mesoterapia."
        ),
        "site": _LOCAL,
        "frequency": _UNCOMMON,
        "severity": _SERIOUS,
        "prevention": _PREVENTABLE,
        "prevention_advice": (
            "Para prevenirla, la piel, las agujas y la mezcla deben estar limpias y estériles."
        ),
        "warning_signs": (
            "Enrojecimiento, calor, dolor o hinchazón que empeoran, pus, llagas o bultos que no "
            "se curan, o fiebre."
        ),
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": "Necrosis de la piel (muerte del tejido de la piel)",
        "explanation": "Una zona de piel puede dañarse tanto que muere.",
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _SERIOUS,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": (
            "Piel que se pone muy pálida, oscura, azul o negra, o que está fría, dormida o muy "
            "dolorida."
        ),
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": "Atrofia y lipodistrofia (piel fina o grasa desigual)",
        "explanation": (
            "La piel puede volverse fina, o la grasa de debajo puede encogerse o acumularse de "
            "forma desigual. Esto puede dejar hundimientos o bultos."
        ),
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Hundimientos, huecos o bultos donde entraron las inyecciones.",
        "what_to_do": _CHECK_THE_AREA,
    },
    {
        "name": "Bultos (nódulos) y piel desigual después de disolver grasa",
        "explanation": (
            "Después de las inyecciones que deshacen la grasa, pueden formarse bultitos bajo "
            "la piel, o la superficie puede verse desigual."
        ),
        "site": _LOCAL,
        "frequency": _UNCOMMON,
        "severity": _MODERATE,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Bultos que crecen, duelen, están calientes o no desaparecen.",
        "what_to_do": _CHECK_THE_AREA,
    },
    {
        "name": "Úlceras y cicatrices en la cara o el cuero cabelludo",
        "explanation": (
            "Pueden salir llagas abiertas (úlceras) en la cara o el cuero cabelludo. Al curarse "
            "pueden dejar cicatriz."
        ),
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _SERIOUS,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Una llaga o herida en la piel que no se cura, o que se hace más grande.",
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": "Reacción alérgica donde entra la aguja",
        "explanation": (
            "Su piel puede reaccionar a algo de la mezcla. Puede ponerse roja, picar o "
            "hincharse donde entraron las inyecciones."
        ),
        "site": _LOCAL,
        "frequency": _UNCOMMON,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Cuéntele a su profesional todas sus alergias. Pregunte qué lleva la mezcla."
        ),
        "warning_signs": "Picor, sarpullido o hinchazón que se extiende fuera de la zona tratada.",
        "what_to_do": (
            "Llame a la clínica. Si le cuesta respirar, o se le hinchan la cara, los labios o "
            "la lengua, llame al 911."
        ),
    },
    {
        "name": "Erupción por medicamentos (sarpullido causado por un medicamento)",
        "explanation": "Un medicamento de la mezcla puede causar un sarpullido en la piel.",
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Cuéntele a su profesional si algún medicamento le ha dado sarpullido antes. "
            "Pregunte qué medicamentos lleva la mezcla."
        ),
        "warning_signs": "Un sarpullido nuevo, sobre todo si se extiende o le salen ampollas.",
        "what_to_do": "Llame a la clínica y cuénteles lo del sarpullido.",
    },
    {
        "name": "Manchas más oscuras o más claras en la piel (cambios de pigmentación)",
        "explanation": (
            "La piel tratada puede quedar más oscura o más clara que la piel de alrededor."
        ),
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Manchas oscuras o claras donde entraron las inyecciones.",
        "what_to_do": _CHECK_THE_AREA,
    },
    {
        "name": "Inflamación de la grasa (paniculitis)",
        "explanation": (
            "La grasa que está bajo la piel puede inflamarse. Esto puede causar bultos rojos "
            "que duelen al tocarlos."
        ),
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PREVENTABLE,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": "Bultos bajo la piel que duelen, están rojos o calientes.",
        "what_to_do": _CHECK_THE_AREA,
    },
    {
        "name": "Caída del cabello (alopecia)",
        "explanation": "Se le puede caer el cabello en la zona tratada.",
        "site": _LOCAL,
        "frequency": _RARE,
        "severity": _MODERATE,
        "prevention": _PARTLY,
        "prevention_advice": _GOOD_TECHNIQUE,
        "warning_signs": (
            "Zonas nuevas sin cabello, o caída del cabello que empeora después del tratamiento."
        ),
        "what_to_do": _CHECK_THE_AREA,
    },
    # Sistémicos: afectan a todo el cuerpo. Las fuentes los describen como muy poco frecuentes.
    {
        "name": "Reacción alérgica en todo el cuerpo",
        "explanation": (
            "En muy pocos casos, el cuerpo reacciona a algo de la mezcla. Esto puede afectar a "
            "la respiración, a la piel y a más partes del cuerpo."
        ),
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _SERIOUS,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Cuéntele a su profesional todas sus alergias. Pida el nombre de cada ingrediente "
            "de la mezcla."
        ),
        "warning_signs": (
            "Dificultad para respirar, hinchazón de la cara, los labios o la lengua, ronchas "
            "por todo el cuerpo, o sensación de desmayo."
        ),
        "what_to_do": _CALL_911,
    },
    {
        "name": "Reacción vagal y desmayo",
        "explanation": (
            "Algunas personas se marean, sienten náuseas o sudan, o se desmayan, durante las "
            "inyecciones o justo después."
        ),
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _MILD,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Avise a su profesional si alguna vez se ha desmayado con agujas o inyecciones."
        ),
        "warning_signs": "Mareo, calor, sudor o ganas de vomitar.",
        "what_to_do": (
            "Avise enseguida al personal y acuéstese. Si se desmaya después de salir de la "
            "clínica, llame al 911."
        ),
    },
    {
        "name": "Toxicidad hepática (daño al hígado)",
        "explanation": "En muy pocos casos, lo que se inyecta puede dañar el hígado.",
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _SERIOUS,
        "prevention": _PARTLY,
        "prevention_advice": (
            "Cuéntele a su profesional si tiene algún problema de hígado. Pida el nombre de "
            "cada ingrediente de la mezcla."
        ),
        "warning_signs": ("Piel u ojos amarillos, orina oscura, o mucho cansancio y malestar."),
        "what_to_do": _SEE_A_DOCTOR,
    },
    {
        "name": (
            "Daño en los nervios (desmielinización) por dosis altas de sustancias que "
            "disuelven grasa"
        ),
        "explanation": (
            "Los nervios tienen una capa que les ayuda a llevar las señales. Dosis muy altas de "
            "sustancias que deshacen la grasa, como la fosfatidilcolina, han dañado esta capa. "
            "Esto es muy poco frecuente."
        ),
        "site": _SYSTEMIC,
        "frequency": _VERY_RARE,
        "severity": _SERIOUS,
        "prevention": _PARTLY,
        "prevention_advice": "Pregunte qué lleva la mezcla y cuánta cantidad le pondrán.",
        "warning_signs": "Adormecimiento, hormigueo o debilidad que no tenía antes.",
        "what_to_do": _SEE_A_DOCTOR,
    },
]

CHECKLIST = [
    {
        "check_text": (
            "¿Su profesional tiene formación y certificación? Una entidad que certifica es la "
            "American Board of Aesthetic Mesotherapy."
        ),
        "why_it_matters": (
            "Los médicos aconsejan elegir a un profesional con formación y certificación para "
            "este tratamiento. Pida que se lo demuestre."
        ),
        "satisfied_by": ChecklistEvidence.BOARD_CERTIFICATION,
    },
    {
        "check_text": "¿La persona que le va a tratar tiene licencia médica?",
        "why_it_matters": (
            "La mesoterapia es un tratamiento médico. Puede causar daño si la hace alguien sin "
            "la preparación necesaria."
        ),
        "satisfied_by": ChecklistEvidence.MEDICAL_LICENCE,
    },
    {
        "check_text": "¿Su profesional tiene formación para hacer mesoterapia?",
        "why_it_matters": (
            "La mayoría de los efectos secundarios vienen de cómo se ponen las inyecciones. "
            "Una persona bien formada puede evitar muchos de ellos."
        ),
        "satisfied_by": ChecklistEvidence.PROCEDURE_TRAINING,
    },
    {
        "check_text": ("¿La junta médica del estado permite la mesoterapia donde le van a tratar?"),
        "why_it_matters": (
            "No está permitida en todas partes. Consúltelo con la junta médica del estado antes "
            "de seguir adelante."
        ),
        "satisfied_by": ChecklistEvidence.JURISDICTION_PERMISSION,
    },
    {
        "check_text": "¿Cuántas veces ha hecho su profesional este tratamiento?",
        "why_it_matters": (
            "Pregunte por su experiencia. Quien lo ha hecho muchas veces sabe qué esperar y qué "
            "puede salir mal."
        ),
        "satisfied_by": ChecklistEvidence.EXPERIENCE,
    },
    {
        "check_text": "¿Su profesional puede decirle todo lo que lleva su mezcla?",
        "why_it_matters": (
            "Los médicos dicen que no saber exactamente qué se inyecta es el mayor riesgo. Las "
            "mezclas cambian y pueden prepararse a mano. Pida el nombre de todo lo que lleva su "
            "mezcla."
        ),
        "satisfied_by": ChecklistEvidence.FORMULATION_DISCLOSURE,
    },
    {
        "check_text": (
            "¿Su profesional mantiene limpias y estériles la piel, las agujas y la mezcla?"
        ),
        "why_it_matters": (
            "Esto se llama *técnica aséptica*. Ayuda a prevenir infecciones y muchos otros "
            "efectos secundarios."
        ),
        "satisfied_by": ChecklistEvidence.ASEPTIC_TECHNIQUE,
    },
]

COMPREHENSION_QUESTIONS = [
    {
        "question": "¿Cuánto duran los resultados de la mesoterapia?",
        "choices": "\n".join(
            [
                "Duran toda la vida después de una sesión.",
                "Duran cinco años.",
                "Nadie lo sabe. La mayoría de las personas necesitan más sesiones para "
                "mantenerlos.",
            ]
        ),
        "correct_choice": 3,
        "explanation": (
            "No hay buenos datos sobre cuánto duran los resultados. La mayoría de las personas "
            "necesitan más sesiones para mantenerlos."
        ),
        "section": Section.RESULTS,
    },
    {
        "question": "¿Qué ven muchos médicos como el mayor riesgo de la mesoterapia?",
        "choices": "\n".join(
            [
                "Un moretón pequeño",
                "No saber exactamente qué se inyecta",
                "El precio",
            ]
        ),
        "correct_choice": 2,
        "explanation": (
            "Las mezclas cambian y cada profesional puede preparar la suya. No saber qué entra "
            "en su cuerpo es el mayor riesgo."
        ),
        "section": Section.UNKNOWNS,
    },
    {
        "question": "¿Qué efectos secundarios son comunes?",
        "choices": "\n".join(
            [
                "Moretones, hinchazón y dolor donde entra la aguja",
                "Daño al hígado",
                "Daño en los nervios",
            ]
        ),
        "correct_choice": 1,
        "explanation": (
            "Los moretones, la hinchazón, el dolor y el enrojecimiento son comunes. El daño al "
            "hígado o a los nervios es muy poco frecuente."
        ),
        "section": Section.SIDE_EFFECTS,
    },
    {
        "question": "¿Se puede hacer mesoterapia en cualquier estado?",
        "choices": "\n".join(
            [
                "Sí, todos los estados la permiten.",
                "No. Compruebe que la junta médica de su estado la permite.",
            ]
        ),
        "correct_choice": 2,
        "explanation": (
            "No está permitida en todas partes. Consúltelo con la junta médica del estado donde "
            "le van a tratar."
        ),
        "section": Section.PRACTITIONER,
    },
    {
        "question": "¿Qué debe comprobar sobre su profesional?",
        "choices": "\n".join(
            [
                "Solo el precio.",
                "Su formación, su licencia, su experiencia y si puede decirle qué lleva la mezcla.",
                "Nada. Todos los profesionales son iguales.",
            ]
        ),
        "correct_choice": 2,
        "explanation": (
            "Compruebe su formación, su licencia y su experiencia. Asegúrese de que puede "
            "decirle cada ingrediente de su mezcla."
        ),
        "section": Section.PRACTITIONER,
    },
]

QUESTIONS_ANSWERS = [
    {
        "question": "¿La grasa vuelve después de la mesoterapia?",
        "answer": (
            "No lo sabemos. A los médicos que usan o estudian la mesoterapia se lo preguntan "
            "mucho, y todavía no pueden responder. No hay buenos datos a largo plazo sobre si "
            "la grasa tratada desaparece para siempre."
        ),
        "answered_by": "Dra. Priya Nair, dermatóloga (demostración)",
    },
    {
        "question": "¿Duele?",
        "answer": (
            "La mayoría de las personas sienten algo de ardor, escozor o dolor mientras entra "
            "la aguja, y durante un rato después. La crema para adormecer la piel puede ayudar, "
            "pero aun así puede doler un poco. También son comunes los moretones y la hinchazón."
        ),
        "answered_by": "Dr. Marcus Bell, cirujano plástico (demostración)",
    },
    {
        "question": "¿Cuántas sesiones voy a necesitar?",
        "answer": (
            "No hay un número fijo. La mayoría de las personas necesitan más de una sesión, y "
            "casi todas necesitan más sesiones después para mantener los resultados. Cuando "
            "consiga el resultado que busca, quizá las necesite con menos frecuencia. Pregunte "
            "a su profesional qué plan tiene para usted, y por qué."
        ),
        "answered_by": "Dra. Priya Nair, dermatóloga (demostración)",
    },
    {
        "question": "¿La mesoterapia es lo mismo que Lipodissolve?",
        "answer": (
            "No exactamente. En los Estados Unidos, la mayor parte de la mesoterapia se asocia "
            "con inyecciones tipo Lipodissolve, que buscan deshacer la grasa. Esas inyecciones "
            "son solo un tipo de mesoterapia. Mesoterapia es un nombre más amplio: pequeñas "
            "inyecciones de muchos tipos de mezclas, que se usan en la piel, el cabello, la "
            "grasa y para el dolor."
        ),
        "answered_by": "Dr. Marcus Bell, cirujano plástico (demostración)",
    },
]

PUBLISH_NOTE = "Contenido de demostración cargado por el comando load_demo."
