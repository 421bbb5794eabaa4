"""The AI assistant: answers customers from the business's own knowledge, or hands over honestly."""
