//! The lesson panel and the lesson picker. The panel narrates one step at a time beside the
//! graph; Next and Back move freely and any step can be replayed. Entering a step puts the run at
//! that step's place on the lesson's reference path; scripted actions and waits then play, an
//! exercise hands the controls to the student. After the last step the run stays as a sandbox.

use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat, Ui};

use crate::lesson::{self, Lesson, Script, Step, Teach, Text};
use crate::palette::Palette;
use crate::protocols::paxos::Paxos;
use crate::session::{Command, Session};
use crate::sim::world::ActionOf;
use crate::trace::{self, Trace};
use crate::ui::i18n::{Lang, T, fill};

/// How the panel looks this frame: language, colours, text size (larger in presenter mode).
#[derive(Clone, Copy, Debug)]
pub struct PanelLook {
    pub lang: Lang,
    pub palette: Palette,
    pub text_scale: f32,
}

impl PanelLook {
    fn tr(&self, t: T) -> &'static str {
        t.get(self.lang)
    }
}

pub use crate::lesson::bundled::PAXOS as BUNDLED;

/// The bundled lessons that parse (all of them: `cargo test` checks every one).
pub fn bundled_lessons() -> Vec<Lesson<Paxos>> {
    bundled_as::<Paxos>(BUNDLED)
}

/// The bundled lessons of protocol `P` in `files` that parse.
pub fn bundled_as<P: Teach>(files: &[(&str, &str)]) -> Vec<Lesson<P>> {
    files
        .iter()
        .filter_map(|(name, text)| lesson::parse_as::<P>(std::path::Path::new(name), text).ok())
        .collect()
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// What the panel asks the app to do.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonCommand {
    Next,
    Back,
    Replay,
    Answer(usize),
    ShowHint,
    ShowSolution,
    /// Stay on an exercise after Next asked whether to skip it or to leave the student's run.
    KeepTrying,
    /// Open the student's kept run in the sandbox (the lesson ends).
    OpenOwnRun,
    /// Back to the lesson picker.
    Leave,
}

pub struct LessonPanel<P: Teach> {
    pub lesson: Lesson<P>,
    script: Script<P>,
    pub step: usize,
    pub solved: Vec<bool>,
    pub answers: Vec<Option<usize>>,
    pub hints: Vec<usize>,
    /// Past the last step: the run is the student's sandbox.
    pub sandbox: bool,
    /// Exercises whose reference solution "Show me" played: not solved by the student.
    pub shown: Vec<bool>,
    /// Next was pressed on an unsolved exercise: the panel asks before moving on.
    pub confirm_skip: bool,
    /// Next was pressed after a solved exercise whose run the lesson cannot go on from: the panel
    /// says so before switching to the lesson's own run.
    pub confirm_switch: bool,
    /// The student's own run, kept when the lesson went on from its own run instead: the
    /// exercise's step and the run's actions.
    pub own_run: Option<(usize, Vec<ActionOf<P>>)>,
    /// Going on from the student's run, the first step that cannot apply to it (it names
    /// messages the run does not have): from there the lesson needs its own run.
    pub lesson_run_from: Option<usize>,
    /// The file the lesson came from, watched for an author's edits.
    pub source: Option<std::path::PathBuf>,
    seen_modified: Option<std::time::SystemTime>,
    /// Why the last edit of the file could not be used (the last good version stays).
    pub reload_error: Option<String>,
    /// The current step's actions in words, in English and Chinese (a step that plays them).
    do_words: Vec<[String; 2]>,
    /// The current step's texts that name run facts, and each filled from the run on screen.
    filled: Vec<(String, String)>,
    /// The run (version, position) and step `filled` was made for.
    filled_for: Option<(u64, u64, usize)>,
}

impl<P: Teach> LessonPanel<P> {
    /// Prepares a lesson (its reference path) and puts `session` at its first step.
    pub fn open(lesson: Lesson<P>, session: &mut Session<P>) -> Result<Self, String> {
        let script = lesson::script(&lesson).map_err(|(_, why)| why)?;
        let n = lesson.steps.len();
        let mut panel = LessonPanel {
            lesson,
            script,
            step: 0,
            solved: vec![false; n],
            answers: vec![None; n],
            hints: vec![0; n],
            sandbox: false,
            shown: vec![false; n],
            confirm_skip: false,
            confirm_switch: false,
            own_run: None,
            lesson_run_from: None,
            source: None,
            seen_modified: None,
            reload_error: None,
            do_words: Vec::new(),
            filled: Vec::new(),
            filled_for: None,
        };
        panel.enter(0, session);
        Ok(panel)
    }

    /// Puts the run at the start of step `i` of the reference path and starts what the step does.
    pub fn enter(&mut self, i: usize, session: &mut Session<P>) {
        let i = i.min(self.lesson.steps.len() - 1);
        self.step = i;
        self.sandbox = false;
        self.confirm_skip = false;
        self.confirm_switch = false;
        if let Some(shown) = self.shown.get_mut(i) {
            *shown = false;
        }
        self.load_reference(session);
        session.notice = None;
        let (start, end) = self.script.spans[i];
        session.apply(Command::Seek(start));
        self.do_words = match &self.lesson.steps[i] {
            Step::Do(actions) => actions_in_words(session.world(), actions),
            _ => Vec::new(),
        };
        // A new step, or the same one of an edited lesson: its texts are filled afresh.
        self.filled_for = None;
        self.refresh_facts(session);
        match &self.lesson.steps[i] {
            Step::Do(_) | Step::Wait { .. } => {
                session.play_until = Some(end);
                session.playing = true;
            }
            Step::Exercise(_) => session.truncate(),
            Step::Say(_) | Step::Quiz(_) => {}
        }
    }

    /// Fills the current step's run facts (`{leader}`, `{term}` ...) from the run on screen:
    /// after an exercise, from the student's own answer.
    pub fn refresh_facts(&mut self, session: &Session<P>) {
        let at = (session.generation(), session.position(), self.step);
        if self.filled_for == Some(at) {
            return;
        }
        self.filled_for = Some(at);
        self.filled.clear();
        let Some(step) = self.lesson.steps.get(self.step) else {
            return;
        };
        for t in crate::lesson::step_texts(step) {
            for (zh, words) in [(false, &t.en), (true, &t.zh)] {
                if words.contains('{') {
                    let filled = crate::lesson::facts::fill(words, session.world(), zh);
                    self.filled.push((words.clone(), filled));
                }
            }
        }
    }

    /// A text of the current step as shown: its run facts filled.
    fn shown<'t>(&'t self, text: &'t str) -> &'t str {
        if !text.contains('{') {
            return text;
        }
        self.filled
            .iter()
            .find(|(original, _)| original == text)
            .map_or(text, |(_, filled)| filled.as_str())
    }

    /// Makes `session` the lesson's reference run (keeping the playback speed), at its start.
    fn load_reference(&self, session: &mut Session<P>) {
        let reference = Trace {
            version: trace::VERSION,
            protocol: Some(P::NAME.into()),
            config: self.lesson.config.clone(),
            scheduler: Some(self.lesson.faults),
            actions: self.script.actions.clone(),
            outcome: None,
        };
        let speed = session.speed;
        if let Ok(s) = Session::from_trace(&reference) {
            *session = s;
        }
        session.speed = speed;
    }

    /// The nodes the current step's text names (`P1`, `A2`, ...), for the graph to mark.
    pub fn named_nodes(&self, lang: Lang) -> Vec<crate::sim::NodeId> {
        let text = match &self.lesson.steps[self.step] {
            Step::Say(t) => t.get(lang).to_string(),
            Step::Exercise(e) => e.task.get(lang).to_string(),
            Step::Quiz(q) => q.question.get(lang).to_string(),
            Step::Do(_) | Step::Wait { .. } => String::new(),
        };
        let mut out = Vec::new();
        for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            if let Ok(id) = word.parse::<crate::sim::NodeId>()
                && P::has_node(&self.lesson.config, id)
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
        out
    }

    pub fn watches_file(&self) -> bool {
        self.source.is_some()
    }

    /// Reloads the lesson if its file changed on disk, keeping the step. A broken edit is shown
    /// and the last good version kept. Returns whether anything changed.
    pub fn reload_if_changed(&mut self, session: &mut Session<P>) -> bool {
        let Some(path) = &self.source else {
            return false;
        };
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        if modified.is_none() || self.seen_modified.is_none() {
            self.seen_modified = modified;
            return false;
        }
        if modified == self.seen_modified {
            return false;
        }
        self.seen_modified = modified;
        let loaded = lesson::load_as::<P>(path)
            .map_err(|e| e.to_string())
            .and_then(|l| {
                lesson::script(&l)
                    .map(|s| (l, s))
                    .map_err(|(_, why)| format!("{}: {why}", path.display()))
            });
        match loaded {
            Ok((l, script)) => {
                let n = l.steps.len();
                self.lesson = l;
                self.script = script;
                self.solved.resize(n, false);
                self.answers.resize(n, None);
                self.hints.resize(n, 0);
                self.shown.resize(n, false);
                self.reload_error = None;
                let step = self.step.min(n - 1);
                self.enter(step, session);
            }
            Err(e) => self.reload_error = Some(e),
        }
        true
    }

    /// The kinds of action the current step allows the student, while an exercise is open.
    pub fn controls(&self) -> Option<&[crate::lesson::Control]> {
        match &self.lesson.steps[self.step] {
            Step::Exercise(e) if !self.sandbox => Some(&e.controls),
            _ => None,
        }
    }

    /// Called after each frame's commands: checks the current exercise's goal against the run
    /// since the exercise began (a solution "Show me" played does not count).
    pub fn observe(&mut self, session: &Session<P>) -> bool {
        if self.shown.get(self.step).copied().unwrap_or(false) {
            return false;
        }
        let start = self.script.spans[self.step].0 as usize;
        let since = session
            .timeline()
            .log()
            .and_then(|log| log.get(start..session.position() as usize))
            .unwrap_or_default();
        if let Step::Exercise(e) = &self.lesson.steps[self.step]
            && !self.solved[self.step]
            && e.goal.holds(session.world(), since)
        {
            self.solved[self.step] = true;
            return true;
        }
        false
    }

    /// After a solved exercise: the lesson goes on from the student's own run for every step
    /// that applies to it (the same messages in flight, waits reached). At the first that does
    /// not, the panel says which step needs the lesson's own run and asks; the student's run
    /// is kept, to open in the sandbox.
    fn go_on_from_student(&mut self, session: &mut Session<P>) {
        let step = self.step;
        let own = session.timeline().actions()[..session.position() as usize].to_vec();
        let blocked = match lesson::continue_script(&self.lesson, &own, step + 1) {
            Ok(cont) => {
                self.splice(step, &own, cont);
                self.lesson_run_from = None;
                self.enter(step + 1, session);
                return;
            }
            Err((k, _)) => k.max(step + 1),
        };
        self.lesson_run_from = Some(blocked);
        // The steps before it go on from the student's run.
        let head = (blocked > step + 1).then(|| {
            let mut head = self.lesson.clone();
            head.steps.truncate(blocked);
            head
        });
        let cont = head.and_then(|head| lesson::continue_script(&head, &own, step + 1).ok());
        match cont {
            Some(cont) => {
                self.splice(step, &own, cont);
                self.own_run = Some((step, own));
                self.enter(step + 1, session);
            }
            None => {
                self.own_run = Some((step, own));
                self.confirm_switch = true;
            }
        }
    }

    /// The script becomes the student's run up to `step`'s end, then `cont`.
    fn splice(&mut self, step: usize, own: &[ActionOf<P>], cont: Script<P>) {
        let mut spans = self.script.spans[..=step].to_vec();
        spans[step].1 = own.len() as u64;
        spans.extend(cont.spans);
        self.script = Script {
            actions: cont.actions,
            spans,
            report: self.script.report.clone(),
        };
    }

    /// Back to the lesson's own run (its reference path), for the steps from `from` on.
    fn use_lesson_run(&mut self) {
        if let Ok(reference) = lesson::script(&self.lesson) {
            self.script = reference;
        }
        self.lesson_run_from = None;
    }

    /// The student's kept run as a trace, to open in the sandbox.
    pub fn own_run_trace(&self) -> Option<Trace<P>> {
        let (_, actions) = self.own_run.as_ref()?;
        let mut world = P::world(&self.lesson.config);
        for a in actions {
            world.apply(a).ok()?;
        }
        Some(Trace::record(
            &self.lesson.config,
            Some(self.lesson.faults),
            actions.clone(),
            &world,
        ))
    }

    /// Every exercise solved and every quiz answered right.
    pub fn complete(&self) -> bool {
        self.lesson.steps.iter().enumerate().all(|(i, s)| match s {
            Step::Exercise(_) => self.solved[i],
            Step::Quiz(q) => self.answers[i] == Some(q.answer),
            _ => true,
        })
    }

    pub fn apply(&mut self, c: LessonCommand, session: &mut Session<P>) {
        let last = self.lesson.steps.len() - 1;
        match c {
            LessonCommand::Next if self.step == last => {
                // The lesson becomes a sandbox on the same cluster, from where the run stands.
                self.sandbox = true;
                session.play_until = None;
                session.truncate();
            }
            LessonCommand::Next
                if matches!(self.lesson.steps[self.step], Step::Exercise(_))
                    && !self.solved[self.step]
                    && !self.confirm_skip =>
            {
                self.confirm_skip = true;
            }
            LessonCommand::Next
                if matches!(self.lesson.steps[self.step], Step::Exercise(_))
                    && self.solved[self.step]
                    && !self.confirm_switch =>
            {
                self.go_on_from_student(session)
            }
            // The next step needs the lesson's run: ask first.
            LessonCommand::Next
                if self.lesson_run_from == Some(self.step + 1) && !self.confirm_switch =>
            {
                self.confirm_switch = true;
            }
            LessonCommand::Next => {
                if self.confirm_switch && self.lesson_run_from.is_some() {
                    self.use_lesson_run();
                }
                self.enter(self.step + 1, session)
            }
            LessonCommand::KeepTrying => {
                self.confirm_skip = false;
                self.confirm_switch = false;
            }
            // The app opens the student's run; nothing changes here.
            LessonCommand::OpenOwnRun => {}
            LessonCommand::Back => {
                let i = if self.sandbox {
                    self.step
                } else {
                    self.step.saturating_sub(1)
                };
                self.enter(i, session);
            }
            LessonCommand::Replay => {
                // Replaying a quiz is a deliberate new attempt at it.
                self.answers[self.step] = None;
                self.enter(self.step, session);
            }
            // The first answer counts: no changing it once the explanation is out.
            LessonCommand::Answer(k) => {
                if self.answers[self.step].is_none() {
                    self.answers[self.step] = Some(k);
                }
            }
            LessonCommand::ShowHint => self.hints[self.step] += 1,
            LessonCommand::ShowSolution => {
                if matches!(self.lesson.steps[self.step], Step::Exercise(_)) {
                    // The reference path holds the solution: play it, animated, step by step.
                    self.confirm_skip = false;
                    self.shown[self.step] = true;
                    // What the student tried before is over: its refusals go with it.
                    session.notice = None;
                    self.load_reference(session);
                    let (start, end) = self.script.spans[self.step];
                    session.apply(Command::Seek(start));
                    session.play_until = Some(end);
                    session.playing = true;
                }
            }
            LessonCommand::Leave => {}
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, f: &PanelLook, out: &mut Vec<LessonCommand>) {
        if self.body_ui(ui, f, out) {
            self.nav_ui(ui, f, out);
        }
    }

    /// The lesson's words for this step: title, progress and what the step says or asks.
    /// False when the panel is done (the sandbox after the lesson has its own two buttons).
    pub fn body_ui(&mut self, ui: &mut Ui, f: &PanelLook, out: &mut Vec<LessonCommand>) -> bool {
        let lang = f.lang;
        let n = self.lesson.steps.len();
        ui.heading(self.lesson.title.get(lang));
        if let Some(e) = &self.reload_error {
            ui.label(RichText::new(e).color(f.palette.violation).monospace());
        }
        if self.sandbox {
            ui.label(RichText::new(f.tr(T::LessonSandbox)).strong());
            ui.horizontal(|ui| {
                if ui.button(f.tr(T::LessonBack)).clicked() {
                    out.push(LessonCommand::Back);
                }
                if ui.button(f.tr(T::AllLessons)).clicked() {
                    out.push(LessonCommand::Leave);
                }
            });
            return false;
        }
        ui.label(fill(f.tr(T::LessonStep), &[&(self.step + 1), &n]));
        ui.add(egui::ProgressBar::new((self.step + 1) as f32 / n as f32).desired_height(6.0));
        ui.separator();
        let step = self.step;
        match &self.lesson.steps[step] {
            Step::Say(t) => {
                rich(ui, self.shown(t.get(lang)), f.text_scale);
            }
            Step::Do(_) => {
                ui.label(RichText::new(f.tr(T::LessonWatch)).italics());
                for words in &self.do_words {
                    ui.label(format!("· {}", words[lang.index()]));
                }
            }
            Step::Wait { .. } => {
                ui.label(RichText::new(f.tr(T::LessonWaiting)).italics());
            }
            Step::Exercise(e) => {
                ui.label(RichText::new(f.tr(T::Exercise)).strong());
                rich(ui, self.shown(e.task.get(lang)), f.text_scale);
                if self.solved[step] {
                    ui.label(
                        RichText::new(format!("★ {}", f.tr(T::Solved)))
                            .strong()
                            .size(20.0)
                            .color(f.palette.chosen),
                    );
                } else if self.shown[step] {
                    ui.label(RichText::new(f.tr(T::ShownNotSolved)).italics());
                }
                for h in e.hints.iter().take(self.hints[step]) {
                    rich(
                        ui,
                        &format!("· {}", self.shown(h.get(lang))),
                        f.text_scale * 0.93,
                    );
                }
                ui.horizontal(|ui| {
                    if self.hints[step] < e.hints.len() && ui.button(f.tr(T::ShowHint)).clicked() {
                        out.push(LessonCommand::ShowHint);
                    }
                    if !self.solved[step]
                        && !self.shown[step]
                        && ui.button(f.tr(T::ShowSolution)).clicked()
                    {
                        out.push(LessonCommand::ShowSolution);
                    }
                });
            }
            Step::Quiz(q) => {
                ui.label(RichText::new(f.tr(T::Quiz)).strong());
                rich(ui, self.shown(q.question.get(lang)), f.text_scale);
                let answered = self.answers[step].is_some();
                for (k, c) in q.choices.iter().enumerate() {
                    let picked = self.answers[step] == Some(k);
                    let radio = ui
                        .add_enabled(
                            !answered,
                            egui::RadioButton::new(picked, self.shown(c.get(lang))),
                        )
                        .on_disabled_hover_text(f.tr(T::AnswerFinal));
                    if radio.clicked() {
                        out.push(LessonCommand::Answer(k));
                    }
                }
                if let Some(k) = self.answers[step] {
                    let (text, color) = if k == q.answer {
                        (f.tr(T::Correct), f.palette.ok)
                    } else {
                        (f.tr(T::NotQuite), f.palette.violation)
                    };
                    ui.label(RichText::new(text).strong().color(color));
                    rich(ui, self.shown(q.explanation.get(lang)), f.text_scale);
                }
            }
        }
        true
    }

    /// Back, Replay and Next (or the question Next asks first), and the way to all lessons.
    pub fn nav_ui(&mut self, ui: &mut Ui, f: &PanelLook, out: &mut Vec<LessonCommand>) {
        if self.sandbox {
            return;
        }
        let step = self.step;
        ui.separator();
        if self.confirm_switch {
            let at = self.lesson_run_from.unwrap_or(step + 1) + 1;
            ui.label(RichText::new(fill(f.tr(T::RunDiffersAt), &[&at])).strong());
            ask_before_next(ui, f, [T::RunDiffers, T::StayHere, T::UseLessonRun], out);
            return;
        }
        if let Some((at, _)) = &self.own_run
            && *at <= step
            && ui.button(fill(f.tr(T::OpenOwnRun), &[&(at + 1)])).clicked()
        {
            out.push(LessonCommand::OpenOwnRun);
        }
        if self.confirm_skip {
            ask_before_next(ui, f, [T::SkipUnsolved, T::KeepTrying, T::SkipIt], out);
            return;
        }
        // Back and Next first, on one row even in a narrow pane at presenter size, so that the
        // narration above keeps the pane's height; the rarer two go small beneath them.
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(
                    step > 0,
                    egui::Button::new(format!("◀ {}", f.tr(T::LessonBack))),
                )
                .clicked()
            {
                out.push(LessonCommand::Back);
            }
            if ui.button(format!("{} ▶", f.tr(T::LessonNext))).clicked() {
                out.push(LessonCommand::Next);
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui.small_button(f.tr(T::LessonReplay)).clicked() {
                out.push(LessonCommand::Replay);
            }
            if ui.small_button(f.tr(T::AllLessons)).clicked() {
                out.push(LessonCommand::Leave);
            }
        });
    }
}

/// A question Next asks before it moves on: `[question, stay, go on]`.
fn ask_before_next(
    ui: &mut Ui,
    f: &PanelLook,
    [question, stay, go]: [T; 3],
    out: &mut Vec<LessonCommand>,
) {
    ui.label(RichText::new(f.tr(question)).strong());
    ui.horizontal(|ui| {
        if ui.button(f.tr(stay)).clicked() {
            out.push(LessonCommand::KeepTrying);
        }
        if ui.button(f.tr(go)).clicked() {
            out.push(LessonCommand::Next);
        }
    });
}

/// Narration with `**bold**` and `` `code` `` shown as such.
fn rich(ui: &mut Ui, text: &str, scale: f32) {
    let size = 15.0 * scale;
    let normal = ui.visuals().text_color();
    let strong = ui.visuals().strong_text_color();
    let mut job = LayoutJob::default();
    let (mut bold, mut code) = (false, false);
    let mut rest = text;
    while !rest.is_empty() {
        let next = [rest.find("**"), rest.find('`')]
            .into_iter()
            .flatten()
            .min();
        let (chunk, marker) = match next {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        let format = TextFormat {
            font_id: if code {
                FontId::monospace(size * 0.95)
            } else {
                FontId::proportional(size)
            },
            color: if bold || code { strong } else { normal },
            background: if code {
                ui.visuals().code_bg_color
            } else {
                Color32::TRANSPARENT
            },
            ..Default::default()
        };
        job.append(chunk, 0.0, format);
        match marker {
            Some(m) if m.starts_with("**") && !code => {
                bold = !bold;
                rest = &m[2..];
            }
            Some(m) if m.starts_with('`') => {
                code = !code;
                rest = &m[1..];
            }
            Some(m) => {
                // `**` inside code is literal.
                job.append(
                    "**",
                    0.0,
                    TextFormat {
                        font_id: FontId::monospace(size * 0.95),
                        color: strong,
                        ..Default::default()
                    },
                );
                rest = &m[2..];
            }
            None => rest = "",
        }
    }
    job.wrap.max_width = ui.available_width();
    ui.label(job);
}

/// What the lesson picker was asked for.
#[derive(Clone, Debug)]
pub enum PickerChoice {
    /// A Paxos lesson, by its place in the list, and the step to open it at (from 0).
    Lesson(usize, usize),
    /// Anything else: a sandbox, a store protocol's lesson, side by side.
    Open(crate::ui::workspace::AppCommand),
}

/// What the picker shows of a lesson, whatever its protocol.
#[derive(Clone, Debug)]
pub struct LessonCard {
    pub id: String,
    pub title: crate::lesson::Text,
    pub summary: crate::lesson::Text,
    pub steps: usize,
    /// What completing it takes, in English and Chinese.
    pub takes: [String; 2],
}

impl LessonCard {
    pub fn of<P: Teach>(lesson: &Lesson<P>) -> Self {
        LessonCard {
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            summary: lesson.summary.clone(),
            steps: lesson.steps.len(),
            takes: [
                completion_words(lesson, Lang::En),
                completion_words(lesson, Lang::Zh),
            ],
        }
    }
}

/// One lesson's row in the picker: its number and title (a button), its summary, what
/// completing it takes and, when the student left it midway, a button to resume it there.
/// Returns the step to open it at (from 0), if a button was clicked.
fn picker_row(
    ui: &mut Ui,
    number: usize,
    lesson: &LessonCard,
    progress: &LessonProgress,
    lang: Lang,
) -> Option<usize> {
    let mut open = None;
    let done = progress.completed.contains(&lesson.id);
    ui.group(|ui| {
        ui.set_width(ui.available_width());
        let mark = if done { "✔" } else { "○" };
        let title = format!("{mark} {number}. {}", lesson.title.get(lang));
        ui.horizontal_wrapped(|ui| {
            if ui.button(RichText::new(title).size(18.0)).clicked() {
                open = Some(0);
            }
            if let Some(&step) = progress.left_at.get(&lesson.id)
                && step > 0
                && step < lesson.steps
                && ui
                    .button(fill(T::ResumeAt.get(lang), &[&(step + 1)]))
                    .clicked()
            {
                open = Some(step);
            }
        });
        ui.label(lesson.summary.get(lang));
        let takes = &lesson.takes[usize::from(lang == Lang::Zh)];
        ui.label(RichText::new(takes).weak());
    });
    open
}

/// What completing a lesson takes, in words: its steps, exercises and quizzes.
pub fn completion_words<P: Teach>(lesson: &Lesson<P>, lang: Lang) -> String {
    let exercises = lesson
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Exercise(_)))
        .count();
    let quizzes = lesson
        .steps
        .iter()
        .filter(|s| matches!(s, Step::Quiz(_)))
        .count();
    // One sentence per case, so that neither language reads "1 exercises" or "0 quizzes".
    let words = match (exercises, quizzes) {
        (1, 0) => T::PickerTakesOne,
        (_, 0) => T::PickerTakesMany,
        (1, 1) => T::PickerTakesOneAndOne,
        (_, 1) => T::PickerTakesManyAndOne,
        (1, _) => T::PickerTakesOneAndMany,
        _ => T::PickerTakes,
    };
    fill(
        words.get(lang),
        &[&lesson.steps.len(), &exercises, &quizzes],
    )
}

/// What the picker shows of the student's progress: lessons completed, and where each lesson
/// left midway was left (its step, from 0).
pub struct LessonProgress<'a> {
    pub completed: &'a std::collections::BTreeSet<String>,
    pub left_at: &'a std::collections::BTreeMap<String, usize>,
}

/// The start screen: the sandboxes, the Paxos lessons, then each store protocol's shelf
/// (Paxos applied, then Raft), in the registry's order.
pub fn picker_ui(
    ui: &mut Ui,
    lessons: &[Lesson<Paxos>],
    shelves: &[crate::ui::workspace::Shelf],
    progress: &LessonProgress,
    lang: Lang,
) -> Option<PickerChoice> {
    use crate::ui::workspace::{AppCommand, Shown};
    let mut choice = None;
    ui.add_space(12.0);
    ui.vertical_centered(|ui| {
        ui.heading(RichText::new(T::ChooseLesson.get(lang)).size(28.0));
    });
    // The sandboxes first: a class that came to experiment finds them without scrolling.
    ui.horizontal_wrapped(|ui| {
        for &protocol in crate::trace::Protocol::ALL {
            let label = crate::with_protocol!(protocol, P => <P as Shown>::sandbox_button());
            if ui
                .button(RichText::new(label.get(lang)).size(16.0))
                .clicked()
            {
                choice = Some(PickerChoice::Open(AppCommand::Sandbox(protocol)));
            }
        }
        if ui
            .button(RichText::new(T::OpenCompare.get(lang)).size(16.0))
            .clicked()
        {
            choice = Some(PickerChoice::Open(AppCommand::Compare));
        }
    });
    ui.add_space(8.0);
    egui::ScrollArea::vertical().show(ui, |ui| {
        // The Paxos course starts at lesson 0 (the problem and its limits), as its files are
        // numbered, so that "lesson 8" in any lesson's text is the row marked 8.
        for (i, l) in lessons.iter().enumerate() {
            if let Some(step) = picker_row(ui, i, &LessonCard::of(l), progress, lang) {
                choice = Some(PickerChoice::Lesson(i, step));
            }
        }
        for shelf in shelves.iter().filter(|s| !s.lessons.is_empty()) {
            ui.add_space(10.0);
            ui.heading(shelf.heading.get(lang));
            for (i, l) in shelf.lessons.iter().enumerate() {
                if let Some(step) = picker_row(ui, i + 1, l, progress, lang) {
                    choice = Some(PickerChoice::Open(AppCommand::Lesson(
                        shelf.protocol,
                        i,
                        step,
                    )));
                }
            }
        }
    });
    choice
}

/// Each action in words, in English and Chinese, read against the run as it is when the action
/// comes (`C1 is handed a request: put x=1`, `S2 receives Prepare(1.1) from S1`), never as RON.
pub fn actions_in_words<P: crate::protocols::Plugin>(
    world: &crate::sim::world::World<P>,
    actions: &[crate::sim::world::ActionOf<P>],
) -> Vec<[String; 2]> {
    use crate::sim::world::Action;
    let mut world = world.clone();
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        let words = |lang: Lang| {
            let tr = |t: T| t.get(lang);
            let message = |m: crate::sim::MsgId, t: T| match world.network().get(m) {
                Some(env) => fill(
                    tr(t),
                    &[&env.dst, &P::message_words(env), &env.src, &env.id],
                ),
                None => fill(tr(T::DoGone), &[&m]),
            };
            match a {
                Action::Propose(n, r) => fill(tr(T::DoPropose), &[n, &P::request_words(r)]),
                Action::Deliver(m) => message(*m, T::DoDeliver),
                Action::Drop(m) => message(*m, T::DoDrop),
                Action::Duplicate(m) => message(*m, T::DoDuplicate),
                Action::Crash(n) => fill(tr(T::DoCrash), &[n]),
                Action::Restart(n) => fill(tr(T::DoRestart), &[n]),
                Action::Timeout(n) => fill(tr(T::DoTimeout), &[n]),
                Action::Pause(n, ticks) => fill(tr(T::DoPause), &[n, ticks]),
                Action::CutLink(x, y) => fill(tr(T::DoCut), &[x, y]),
                Action::HealLink(x, y) => fill(tr(T::DoHeal), &[x, y]),
                Action::Lie { from, to, msg } => fill(tr(T::DoLie), &[from, to, &msg.to_string()]),
            }
        };
        out.push([words(Lang::En), words(Lang::Zh)]);
        // The next action is read in the run this one leaves (a failed one changes nothing).
        let _ = world.apply(a);
    }
    out
}
