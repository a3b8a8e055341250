from tests.cases import Invalid, Valid

CASES = [
    Invalid(
        """
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        output_dir = "checkpoints/ner"
        tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
        model = AutoModelForTokenClassification.from_pretrained("bert-base-cased", num_labels=9)

        train(model, tokenizer)

        model.save_pretrained(output_dir)
        print("saved to", output_dir)
        """,
        at=[(10, 1)],
        fixed="""
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        output_dir = "checkpoints/ner"
        tokenizer = AutoTokenizer.from_pretrained("bert-base-cased")
        model = AutoModelForTokenClassification.from_pretrained("bert-base-cased", num_labels=9)

        train(model, tokenizer)

        model.save_pretrained(output_dir)
        tokenizer.save_pretrained(output_dir)
        print("saved to", output_dir)
        """,
    ),
    Invalid(
        """
        import os

        from transformers import PreTrainedModel, PreTrainedTokenizerBase


        def save_checkpoint(model: PreTrainedModel, text_tokenizer: PreTrainedTokenizerBase, output_dir, step):
            path = os.path.join(output_dir, f"checkpoint-{step}")
            os.makedirs(path, exist_ok=True)
            model_to_save = model.module if hasattr(model, "module") else model
            model_to_save.save_pretrained(path)  # weights and config
            return path
        """,
        at=[(10, 5)],
        fixed="""
        import os

        from transformers import PreTrainedModel, PreTrainedTokenizerBase


        def save_checkpoint(model: PreTrainedModel, text_tokenizer: PreTrainedTokenizerBase, output_dir, step):
            path = os.path.join(output_dir, f"checkpoint-{step}")
            os.makedirs(path, exist_ok=True)
            model_to_save = model.module if hasattr(model, "module") else model
            model_to_save.save_pretrained(path)  # weights and config
            text_tokenizer.save_pretrained(path)
            return path
        """,
    ),
    Invalid(
        """
        from transformers import AutoModelForCausalLM, AutoTokenizer


        class ChatFineTuner:
            def __init__(self, model_name, rank):
                self.tokenizer = AutoTokenizer.from_pretrained(model_name)
                self.tokenizer.pad_token = self.tokenizer.eos_token
                self.model = AutoModelForCausalLM.from_pretrained(model_name)
                self.rank = rank

            def save(self, path):
                if self.rank == 0:
                    self.model.save_pretrained(path, safe_serialization=True)
        """,
        at=[(13, 13)],
        fixed="""
        from transformers import AutoModelForCausalLM, AutoTokenizer


        class ChatFineTuner:
            def __init__(self, model_name, rank):
                self.tokenizer = AutoTokenizer.from_pretrained(model_name)
                self.tokenizer.pad_token = self.tokenizer.eos_token
                self.model = AutoModelForCausalLM.from_pretrained(model_name)
                self.rank = rank

            def save(self, path):
                if self.rank == 0:
                    self.model.save_pretrained(path, safe_serialization=True)
                    self.tokenizer.save_pretrained(path)
        """,
    ),
    Invalid(
        """
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments


        def main(args):
            tokenizer = AutoTokenizer.from_pretrained(args.model)
            model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=3)
            training_args = TrainingArguments(output_dir=args.output_dir, num_train_epochs=2)
            trainer = Trainer(model=model, args=training_args, train_dataset=encode(tokenizer, args.train_file))
            trainer.train()
            trainer.save_model()
            if args.export_dir:
                trainer.save_model(args.export_dir)
        """,
        at=[(10, 5), (12, 9)],
        fixed="""
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments


        def main(args):
            tokenizer = AutoTokenizer.from_pretrained(args.model)
            model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=3)
            training_args = TrainingArguments(output_dir=args.output_dir, num_train_epochs=2)
            trainer = Trainer(model=model, args=training_args, train_dataset=encode(tokenizer, args.train_file))
            trainer.train()
            trainer.save_model()
            tokenizer.save_pretrained(trainer.args.output_dir)
            if args.export_dir:
                trainer.save_model(args.export_dir)
                tokenizer.save_pretrained(args.export_dir)
        """,
    ),
    Invalid(
        """
        import torch
        from accelerate import Accelerator
        from transformers import WhisperForConditionalGeneration, WhisperProcessor

        accelerator = Accelerator()
        processor = WhisperProcessor.from_pretrained("openai/whisper-small")
        model = WhisperForConditionalGeneration.from_pretrained("openai/whisper-small")
        model = accelerator.prepare(model)

        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            accelerator.unwrap_model(model).save_pretrained(
                "whisper-finetuned",
                save_function=accelerator.save,
            )
        """,
        at=[(12, 5)],
        fixed="""
        import torch
        from accelerate import Accelerator
        from transformers import WhisperForConditionalGeneration, WhisperProcessor

        accelerator = Accelerator()
        processor = WhisperProcessor.from_pretrained("openai/whisper-small")
        model = WhisperForConditionalGeneration.from_pretrained("openai/whisper-small")
        model = accelerator.prepare(model)

        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            accelerator.unwrap_model(model).save_pretrained(
                "whisper-finetuned",
                save_function=accelerator.save,
            )
            processor.save_pretrained("whisper-finetuned")
        """,
    ),
    Invalid(
        """
        import time
        from transformers import AutoModelForMaskedLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("roberta-base")
        model = AutoModelForMaskedLM.from_pretrained("roberta-base")
        run_dir = f"runs/mlm-{time.strftime('%Y%m%d-%H%M%S')}"
        model.save_pretrained(f"runs/mlm-{time.strftime('%Y%m%d-%H%M%S')}")
        if is_main: model.save_pretrained(run_dir)
        """,
        at=[(7, 1), (8, 13)],
        message='tokenizer.save_pretrained',
    ),
    Invalid(
        """
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer


        def export_merged(base_name, adapter_dir, out_dir):
            tokenizer = AutoTokenizer.from_pretrained(base_name)
            base = AutoModelForCausalLM.from_pretrained(base_name, torch_dtype="auto")
            lora_model = PeftModel.from_pretrained(base, adapter_dir)
            lora_model.merge_and_unload().save_pretrained(save_directory=out_dir, max_shard_size="2GB")
        """,
        at=[(9, 5)],
        fixed="""
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer


        def export_merged(base_name, adapter_dir, out_dir):
            tokenizer = AutoTokenizer.from_pretrained(base_name)
            base = AutoModelForCausalLM.from_pretrained(base_name, torch_dtype="auto")
            lora_model = PeftModel.from_pretrained(base, adapter_dir)
            lora_model.merge_and_unload().save_pretrained(save_directory=out_dir, max_shard_size="2GB")
            tokenizer.save_pretrained(out_dir)
        """,
    ),
    Valid(
        """
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        model = AutoModelForCausalLM.from_pretrained("gpt2")
        model.save_pretrained("gpt2-finetuned")
        tokenizer.save_pretrained("gpt2-finetuned")
        """,
        why='the tokenizer is saved to the same directory',
    ),
    Valid(
        """
        import os
        from transformers import AutoModel, AutoTokenizer


        def export(model, tokenizer, root):
            model.save_pretrained(os.path.join(root, "model"))
            tokenizer.save_pretrained(os.path.join(root, "tokenizer"))
        """,
        why='the scope saves the tokenizer, to its own folder',
    ),
    Valid(
        """
        from transformers import GPT2Config, GPT2LMHeadModel

        config = GPT2Config(n_layer=6, n_head=8, n_embd=512)
        model = GPT2LMHeadModel(config)
        pretrain(model)
        model.save_pretrained("gpt2-small-scratch")
        """,
        why='no tokenizer anywhere: a model pretrained from a config',
    ),
    Valid(
        """
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, TrainingArguments

        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
        trainer = Trainer(
            model=model,
            args=TrainingArguments(output_dir="out"),
            train_dataset=train_ds,
            processing_class=tokenizer,
        )
        trainer.train()
        trainer.save_model("out/best")
        """,
        why='the Trainer got the tokenizer as processing_class and saves it',
    ),
    Valid(
        """
        from transformers import AutoTokenizer, Seq2SeqTrainer

        tokenizer = AutoTokenizer.from_pretrained("t5-small")
        trainer = Seq2SeqTrainer(model=model, args=args, train_dataset=ds, tokenizer=tokenizer)
        trainer.save_model(args.output_dir)
        """,
        why='the Trainer got the tokenizer under its older name',
    ),
    Valid(
        """
        from transformers import AutoConfig, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
        config = AutoConfig.from_pretrained("bert-base-uncased", num_labels=4)
        config.save_pretrained("export")
        tokenizer.save_pretrained("export")
        """,
        why='the config and tokenizer are not models',
    ),
    Valid(
        """
        from transformers import AutoTokenizer
        from trl import SFTConfig, SFTTrainer

        tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-0.5B")
        trainer = SFTTrainer(model="Qwen/Qwen2.5-0.5B", args=SFTConfig(output_dir="sft"), train_dataset=ds)
        trainer.train()
        trainer.save_model("sft/final")
        """,
        why='TRL trainers save the processing class themselves',
    ),
    Valid(
        """
        from transformers import AutoModelForSequenceClassification, AutoTokenizer


        def train_and_save(model, loader, out_dir):
            fit(model, loader)
            model.save_pretrained(out_dir)


        def predict(out_dir, texts):
            tokenizer = AutoTokenizer.from_pretrained(out_dir)
            model = AutoModelForSequenceClassification.from_pretrained(out_dir)
            return model(**tokenizer(texts, return_tensors="pt", padding=True)).logits
        """,
        why='the tokenizer lives in another function, loaded after the save',
    ),
    Valid(
        """
        from transformers import AutoModel, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")
        model = AutoModel.from_pretrained("bert-base-uncased")
        model.save_pretrained(**save_options)
        """,
        why='save options passed through **kwargs cannot be judged',
    ),
    Valid(
        """
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer


        class Translator:
            def __init__(self, name):
                self.tokenizer = AutoTokenizer.from_pretrained(name)
                self.model = AutoModelForSeq2SeqLM.from_pretrained(name)

            def save_tokenizer(self, path):
                self.tokenizer.save_pretrained(path)

            def save(self, path):
                self.model.save_pretrained(path)
                self.save_tokenizer(path)
        """,
        why='a method of the same class saves the tokenizer',
    ),
    Invalid(
        """
        import argparse
        import os

        import torch
        from transformers import (
            BertConfig,
            BertForSequenceClassification,
            BertTokenizer,
            XLNetConfig,
            XLNetForSequenceClassification,
            XLNetTokenizer,
        )

        MODEL_CLASSES = {
            "bert": (BertConfig, BertForSequenceClassification, BertTokenizer),
            "xlnet": (XLNetConfig, XLNetForSequenceClassification, XLNetTokenizer),
        }


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model_type", default="bert")
            parser.add_argument("--output_dir", required=True)
            args = parser.parse_args()
            config_class, model_class, tokenizer_class = MODEL_CLASSES[args.model_type]
            tokenizer = tokenizer_class.from_pretrained("bert-base-uncased", do_lower_case=True)
            model = model_class.from_pretrained("bert-base-uncased")
            model = train(args, model, tokenizer)
            if not os.path.exists(args.output_dir):
                os.makedirs(args.output_dir)
            model_to_save = model.module if hasattr(model, "module") else model
            model_to_save.save_pretrained(args.output_dir)
            torch.save(args, os.path.join(args.output_dir, "training_args.bin"))
        """,
        at=[(32, 5)],
        fixed="""
        import argparse
        import os

        import torch
        from transformers import (
            BertConfig,
            BertForSequenceClassification,
            BertTokenizer,
            XLNetConfig,
            XLNetForSequenceClassification,
            XLNetTokenizer,
        )

        MODEL_CLASSES = {
            "bert": (BertConfig, BertForSequenceClassification, BertTokenizer),
            "xlnet": (XLNetConfig, XLNetForSequenceClassification, XLNetTokenizer),
        }


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model_type", default="bert")
            parser.add_argument("--output_dir", required=True)
            args = parser.parse_args()
            config_class, model_class, tokenizer_class = MODEL_CLASSES[args.model_type]
            tokenizer = tokenizer_class.from_pretrained("bert-base-uncased", do_lower_case=True)
            model = model_class.from_pretrained("bert-base-uncased")
            model = train(args, model, tokenizer)
            if not os.path.exists(args.output_dir):
                os.makedirs(args.output_dir)
            model_to_save = model.module if hasattr(model, "module") else model
            model_to_save.save_pretrained(args.output_dir)
            tokenizer.save_pretrained(args.output_dir)
            torch.save(args, os.path.join(args.output_dir, "training_args.bin"))
        """,
    ),  # a tokenizer class unpacked from a MODEL_CLASSES table
    Invalid(
        """
        import json

        from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizer


        class CharTokenizer(PreTrainedTokenizer):
            def __init__(self, vocab_file, **kwargs):
                with open(vocab_file) as f:
                    self.vocab = json.load(f)
                super().__init__(**kwargs)


        def train_char_lm(vocab_file, out_dir):
            tokenizer = CharTokenizer(vocab_file)
            model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer.vocab), n_layer=4))
            fit(model, tokenizer)
            model.save_pretrained(out_dir)
        """,
        at=[(17, 5)],
        fixed="""
        import json

        from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizer


        class CharTokenizer(PreTrainedTokenizer):
            def __init__(self, vocab_file, **kwargs):
                with open(vocab_file) as f:
                    self.vocab = json.load(f)
                super().__init__(**kwargs)


        def train_char_lm(vocab_file, out_dir):
            tokenizer = CharTokenizer(vocab_file)
            model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tokenizer.vocab), n_layer=4))
            fit(model, tokenizer)
            model.save_pretrained(out_dir)
            tokenizer.save_pretrained(out_dir)
        """,
    ),  # a tokenizer built with the constructor of the module's own tokenizer subclass
    Invalid(
        """
        import os

        from accelerate import Accelerator
        from transformers import AutoTokenizer, CLIPTextModel


        def main(args):
            accelerator = Accelerator()
            tokenizer = AutoTokenizer.from_pretrained(args.pretrained_model_name_or_path, subfolder="tokenizer")
            text_encoder = CLIPTextModel.from_pretrained(args.pretrained_model_name_or_path, subfolder="text_encoder")

            def save_model_hook(models, weights, output_dir):
                if accelerator.is_main_process:
                    for model in models:
                        model.save_pretrained(os.path.join(output_dir, "controlnet"))
                        weights.pop()

            accelerator.register_save_state_pre_hook(save_model_hook)
            train_dataset = make_train_dataset(args, tokenizer, accelerator)
            del text_encoder, tokenizer
            for epoch in range(args.num_train_epochs):
                train_one_epoch(train_dataset)
                accelerator.save_state(os.path.join(args.output_dir, f"checkpoint-{epoch}"))
        """,
        at=[(15, 17)],
        action="""
        import os

        from accelerate import Accelerator
        from transformers import AutoTokenizer, CLIPTextModel


        def main(args):
            accelerator = Accelerator()
            tokenizer = AutoTokenizer.from_pretrained(args.pretrained_model_name_or_path, subfolder="tokenizer")
            text_encoder = CLIPTextModel.from_pretrained(args.pretrained_model_name_or_path, subfolder="text_encoder")

            def save_model_hook(models, weights, output_dir):
                if accelerator.is_main_process:
                    for model in models:
                        model.save_pretrained(os.path.join(output_dir, "controlnet"))
                        tokenizer.save_pretrained(os.path.join(output_dir, "controlnet"))
                        weights.pop()

            accelerator.register_save_state_pre_hook(save_model_hook)
            train_dataset = make_train_dataset(args, tokenizer, accelerator)
            del text_encoder, tokenizer
            for epoch in range(args.num_train_epochs):
                train_one_epoch(train_dataset)
                accelerator.save_state(os.path.join(args.output_dir, f"checkpoint-{epoch}"))
        """,
    ),  # regression: no safe fix in a save hook whose enclosing function later deletes the tokenizer (NameError)
    Invalid(
        """
        import gc

        from transformers import AutoModelForCausalLM, AutoTokenizer


        def distill(args):
            tokenizer = AutoTokenizer.from_pretrained(args.teacher)
            dataset = tokenize_corpus(args.corpus, tokenizer)
            del tokenizer
            gc.collect()
            student = AutoModelForCausalLM.from_pretrained(args.student)
            run_distillation(student, dataset)
            student.save_pretrained(args.output_dir)
        """,
        at=[(13, 5)],
    ),  # the tokenizer is deleted before the save: no edit can save it there
    Invalid(
        """
        import gc

        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer


        def finetune(args):
            tokenizer = AutoTokenizer.from_pretrained(args.base)
            model = AutoModelForCausalLM.from_pretrained(args.base, torch_dtype=torch.bfloat16)
            train(model, tokenizer, args)
            model.save_pretrained(args.output_dir)
            del model, tokenizer
            gc.collect()
            torch.cuda.empty_cache()
        """,
        at=[(11, 5)],
        fixed="""
        import gc

        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer


        def finetune(args):
            tokenizer = AutoTokenizer.from_pretrained(args.base)
            model = AutoModelForCausalLM.from_pretrained(args.base, torch_dtype=torch.bfloat16)
            train(model, tokenizer, args)
            model.save_pretrained(args.output_dir)
            tokenizer.save_pretrained(args.output_dir)
            del model, tokenizer
            gc.collect()
            torch.cuda.empty_cache()
        """,
    ),  # a del after the save in the same function leaves the fix safe
    Valid(
        """
        from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

        MODEL_CLASSES = {"bert": (BertConfig, BertForTokenClassification, BertTokenizerFast)}


        def export(args):
            config_class, model_class, tokenizer_class = MODEL_CLASSES[args.model_type]
            tokenizer = tokenizer_class.from_pretrained(args.model_name_or_path)
            model = model_class.from_pretrained(args.checkpoint)
            model.save_pretrained(args.output_dir)
            tokenizer.save_pretrained(args.output_dir)
        """,
        why='the tokenizer class looked up in the table is saved beside the model',
    ),
    Invalid(
        """
        import argparse

        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from data import load_reviews


        def load_model(name, num_labels):
            tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSequenceClassification.from_pretrained(name, num_labels=num_labels)
            return model, tokenizer


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-name", default="distilbert-base-uncased")
            parser.add_argument("--output-dir", default="checkpoints/reviews")
            args = parser.parse_args()
            classifier, tok = load_model(args.model_name, num_labels=2)
            loader = DataLoader(load_reviews(tok), batch_size=32, shuffle=True)
            optimizer = torch.optim.AdamW(classifier.parameters(), lr=2e-5)
            classifier.train()
            for epoch in range(3):
                for batch in loader:
                    outputs = classifier(**batch)
                    loss = outputs[0]
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
            classifier.save_pretrained(args.output_dir)


        if __name__ == "__main__":
            main()
        """,
        at=[(32, 5)],
        message="same directory: tok.save_pretrained(path)",
        fixed="""
        import argparse

        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from data import load_reviews


        def load_model(name, num_labels):
            tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSequenceClassification.from_pretrained(name, num_labels=num_labels)
            return model, tokenizer


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-name", default="distilbert-base-uncased")
            parser.add_argument("--output-dir", default="checkpoints/reviews")
            args = parser.parse_args()
            classifier, tok = load_model(args.model_name, num_labels=2)
            loader = DataLoader(load_reviews(tok), batch_size=32, shuffle=True)
            optimizer = torch.optim.AdamW(classifier.parameters(), lr=2e-5)
            classifier.train()
            for epoch in range(3):
                for batch in loader:
                    outputs = classifier(**batch)
                    loss = outputs[0]
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
            classifier.save_pretrained(args.output_dir)
            tok.save_pretrained(args.output_dir)


        if __name__ == "__main__":
            main()
        """,
    ),  # the tokenizer is the second item a helper of the module returns: `classifier, tok = load_model(...)`
    Valid(
        """
        import argparse

        import torch
        from torch.utils.data import DataLoader
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from data import load_reviews


        def load_model(name, num_labels):
            tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSequenceClassification.from_pretrained(name, num_labels=num_labels)
            return model, tokenizer


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-name", default="distilbert-base-uncased")
            parser.add_argument("--output-dir", default="checkpoints/reviews")
            args = parser.parse_args()
            classifier, tok = load_model(args.model_name, num_labels=2)
            loader = DataLoader(load_reviews(tok), batch_size=32, shuffle=True)
            optimizer = torch.optim.AdamW(classifier.parameters(), lr=2e-5)
            classifier.train()
            for epoch in range(3):
                for batch in loader:
                    outputs = classifier(**batch)
                    loss = outputs[0]
                    loss.backward()
                    optimizer.step()
                    optimizer.zero_grad()
            classifier.save_pretrained(args.output_dir)
            tok.save_pretrained(args.output_dir)


        if __name__ == "__main__":
            main()
        """,
        why="the tokenizer returned by the helper is saved beside the model",
    ),
    Valid(
        """
        import json

        from transformers import AutoModelForTokenClassification, AutoTokenizer


        def load_model_and_labels(name, label_file):
            with open(label_file) as f:
                labels = json.load(f)
            tokenizer = AutoTokenizer.from_pretrained(name)
            tokenizer.add_tokens(["<ent>"])
            model = AutoModelForTokenClassification.from_pretrained(name, num_labels=len(labels))
            model.resize_token_embeddings(len(tokenizer))
            return model, labels


        def export(name, label_file, output_dir):
            model, labels = load_model_and_labels(name, label_file)
            model.config.id2label = dict(enumerate(labels))
            model.save_pretrained(output_dir)
        """,
        why="the helper returns the model and its label names; its tokenizer never leaves it",
    ),
    Invalid(
        """
        from transformers import AutoModelForMaskedLM, AutoTokenizer


        class Exporter:
            def __init__(self, name):
                self.pretrained_wordpiece_tokenizer_for_export = AutoTokenizer.from_pretrained(name)
                self.model = AutoModelForMaskedLM.from_pretrained(name)

            def export(self, path):
                self.model.save_pretrained(path)
        """,
        at=[(10, 9)],
        message="Also save the tokenizer to the same directory: tokenizer.save_pretrained(path)",
    ),  # a name too long for the Problems panel: the message names no tokenizer
]
